import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/** Every test file, by layer: `*.db.test.ts` needs databases, `*.e2e.test.ts` child processes (and databases), the rest neither. */
const ALL = ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'docs/test/**/*.test.ts', '.ci/*.test.ts'];
const DB = ALL.map((g) => g.replace(/\*\.test\.ts$/, '*.db.test.ts'));
const E2E = ALL.map((g) => g.replace(/\*\.test\.ts$/, '*.e2e.test.ts'));

/** The layers that start servers: a PostgreSQL (and MariaDB) for the run, databases of its own for each file. */
const withDatabases = {
  globalSetup: ['test-support/src/global-setup.ts'],
  setupFiles: ['test-support/src/file-databases.ts'],
  hookTimeout: 120_000,
  // A worker keeps the modules it loaded (Prisma's clients, the drivers) from one file to the next:
  // each file gets its own databases from the setup file, not from a fresh module graph.
  isolate: false,
};

const project = (test: TestProjectInlineConfiguration['test']): TestProjectInlineConfiguration => ({ extends: true, test });

export default defineConfig({
  resolve: {
    // Tests run against the sources, never a stale build.
    alias: [
      { find: /^@org\/msgqueue$/, replacement: src('core') },
      {
        find: /^@org\/msgqueue\/opentelemetry$/,
        replacement: fileURLToPath(new URL('./packages/core/src/observability/opentelemetry.ts', import.meta.url)),
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
    testTimeout: 30_000,
    // Files of every layer run side by side, each on databases of its own; most of the slow ones wait
    // on timers, child processes and servers rather than the CPU.
    maxWorkers: 3,
    // .ci/run asks for a machine-readable copy of the results to print its closing line.
    reporters: process.env.MSGQUEUE_TEST_RESULTS ? ['default', ['json', { outputFile: process.env.MSGQUEUE_TEST_RESULTS }]] : ['default'],
    projects: [
      // No database, no child process: seconds, nothing started. `pnpm test:unit`.
      project({ name: 'unit', include: ALL, exclude: [...DB, ...E2E, '**/node_modules/**'] }),
      // The conformance suite and the adapters on real databases, each file on databases of its own.
      project({ name: 'db', include: DB, ...withDatabases }),
      // Whole programs: the Next.js example, the demo, the CLI's binary, worker processes, the chaos run.
      project({
        name: 'e2e',
        include: E2E,
        ...withDatabases,
        globalSetup: [...withDatabases.globalSetup, 'test-support/src/build-setup.ts'],
      }),
    ],
  },
});
