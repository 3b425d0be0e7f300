/**
 * Before the Prisma tests: generate a Prisma client per provider from the model snippets this
 * package ships (plus the test-only "existing table" models), offline, and make sure a PostgreSQL
 * is reachable: DATABASE_URL when set, otherwise an embedded PostgreSQL started here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { generateClients } from './generate-clients.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    mariadbUrl: string | null;
    sqliteDir: string;
  }
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
