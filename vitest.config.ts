import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources, never a stale build.
    alias: [
      { find: /^@org\/msgqueue$/, replacement: src('core') },
      {
        find: /^@org\/msgqueue\/opentelemetry$/,
        replacement: fileURLToPath(new URL('./packages/core/src/opentelemetry.ts', import.meta.url)),
      },
      { find: /^@org\/msgqueue-conformance$/, replacement: src('conformance') },
      { find: /^@org\/msgqueue-prisma$/, replacement: src('prisma') },
      { find: /^@org\/msgqueue-sql$/, replacement: src('sql') },
      {
        find: /^@org\/msgqueue-sql\/(pg|kysely|drizzle)$/,
        replacement: fileURLToPath(new URL('./packages/sql/src/$1.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'docs/test/**/*.test.ts', '.ci/*.test.ts'],
    globalSetup: ['packages/prisma/test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Database-backed files share servers; run files one at a time so figures stay readable.
    fileParallelism: false,
    // .ci/run asks for a machine-readable copy of the results to print its closing line.
    reporters: process.env.MSGQUEUE_TEST_RESULTS ? ['default', ['json', { outputFile: process.env.MSGQUEUE_TEST_RESULTS }]] : ['default'],
  },
});
