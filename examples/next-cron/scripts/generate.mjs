// `prisma generate`, offline: the Prisma CLI wants a schema-engine binary it may be unable to
// download (CI without internet); `generate` never runs it, so a stub stands in when none is set.
// Skips when the schema has not changed since the last run.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = fileURLToPath(new URL('..', import.meta.url));
const schema = readFileSync(join(app, 'prisma', 'schema.prisma'), 'utf8');
const hash = createHash('sha256').update(schema).digest('hex');
const stamp = join(app, 'generated', 'prisma', '.schema-hash');
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) process.exit(0);

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
let stubDir = null;
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  stubDir = mkdtempSync(join(tmpdir(), 'prisma-stub-'));
  env.PRISMA_SCHEMA_ENGINE_BINARY = join(stubDir, 'schema-engine');
  writeFileSync(env.PRISMA_SCHEMA_ENGINE_BINARY, '#!/bin/sh\nexit 0\n');
  chmodSync(env.PRISMA_SCHEMA_ENGINE_BINARY, 0o755);
}
try {
  execFileSync(join(app, 'node_modules', '.bin', 'prisma'), ['generate'], { cwd: app, env, stdio: 'inherit' });
  writeFileSync(stamp, hash);
} finally {
  if (stubDir) rmSync(stubDir, { recursive: true, force: true });
}
