/**
 * The Prisma clients the tests, the chaos run and the bench open: one per dialect, generated offline
 * into generated/ (not committed) from the model snippets @org/msgqueue-prisma ships plus the
 * test-only "existing table" models; regenerated only when those change.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const shipped = fileURLToPath(new URL('../../packages/prisma/prisma/', import.meta.url));
const DIALECTS = ['postgresql', 'mysql', 'sqlite'] as const;

/** Generate any client whose schema changed since it was last generated. */
export function generateClients(): void {
  const stubDir = mkdtempSync(join(tmpdir(), 'msgqueue-prisma-stub-'));
  const stub = join(stubDir, 'schema-engine');
  // The Prisma CLI wants a schema-engine binary it cannot download here; `generate` never runs it.
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  for (const dialect of DIALECTS) {
    const out = join(pkg, 'generated', dialect);
    const schema = [
      `generator client {\n  provider = "prisma-client"\n  output   = "${out}"\n}\n`,
      `datasource db {\n  provider = "${dialect}"\n}\n`,
      readFileSync(join(shipped, `${dialect}.prisma`), 'utf8'),
      readFileSync(join(pkg, 'prisma', `existing-table.${dialect}.prisma`), 'utf8'),
    ].join('\n');
    const hash = createHash('sha256').update(schema).digest('hex');
    const stamp = join(out, '.schema-hash');
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) continue;
    const file = join(pkg, 'generated', `${dialect}.prisma`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, schema);
    execFileSync(join(pkg, 'node_modules', '.bin', 'prisma'), ['generate', '--schema', file], {
      cwd: pkg,
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: stub, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
      stdio: 'pipe',
    });
    writeFileSync(stamp, hash);
  }
  rmSync(stubDir, { recursive: true, force: true });
}
