// Generates the Prisma clients the demo opens (generated/<dialect>/), offline, from the model
// snippet @org/msgqueue-prisma ships — what you paste into your own schema.prisma. The Prisma CLI
// wants a schema-engine binary it may be unable to download; `generate` never runs it, so a stub
// stands in when none is set. Skips a dialect whose schema has not changed since the last run.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(app, 'package.json'));
const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
let stubDir = null;

for (const dialect of ['sqlite', 'postgresql']) {
  const out = join(app, 'generated', dialect);
  const schema = [
    `generator client {\n  provider = "prisma-client"\n  output   = "./${dialect}"\n}\n`,
    `datasource db {\n  provider = "${dialect}"\n}\n`,
    readFileSync(require.resolve(`@org/msgqueue-prisma/prisma/${dialect}.prisma`), 'utf8'),
  ].join('\n');
  const hash = createHash('sha256').update(schema).digest('hex');
  const stamp = join(out, '.schema-hash');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) continue;
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
    stubDir = mkdtempSync(join(tmpdir(), 'prisma-stub-'));
    env.PRISMA_SCHEMA_ENGINE_BINARY = join(stubDir, 'schema-engine');
    writeFileSync(env.PRISMA_SCHEMA_ENGINE_BINARY, '#!/bin/sh\nexit 0\n');
    chmodSync(env.PRISMA_SCHEMA_ENGINE_BINARY, 0o755);
  }
  const file = join(app, 'generated', `${dialect}.prisma`);
  mkdirSync(join(app, 'generated'), { recursive: true });
  writeFileSync(file, schema);
  try {
    execFileSync(join(app, 'node_modules', '.bin', 'prisma'), ['generate', '--schema', file], { cwd: app, env, stdio: 'pipe' });
  } catch (error) {
    process.stderr.write(String(error.stderr ?? error));
    process.exit(1);
  }
  writeFileSync(stamp, hash);
}
if (stubDir) rmSync(stubDir, { recursive: true, force: true });
