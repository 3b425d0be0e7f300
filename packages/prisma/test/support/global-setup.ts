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
import { privateDatabase } from './target.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    mariadbUrl: string | null;
    sqliteDir: string;
  }
}

export default async function setup(project: TestProject) {
  generateClients();
  const cleanups: (() => Promise<void>)[] = [];
  let postgresUrl: string;
  if (process.env.DATABASE_URL) {
    const db = await privateDatabase('postgresql', process.env.DATABASE_URL);
    postgresUrl = db.url;
    cleanups.push(db.drop);
  } else {
    const embedded = await startEmbeddedPostgres();
    postgresUrl = embedded.url;
    cleanups.push(embedded.stop);
    console.log('[msgqueue] DATABASE_URL not set: started an embedded PostgreSQL for the tests');
  }
  let mariadbUrl: string | null = null;
  if (process.env.MARIADB_URL) {
    const db = await privateDatabase('mysql', process.env.MARIADB_URL);
    mariadbUrl = db.url;
    cleanups.push(db.drop);
  }
  const sqliteDir = mkdtempSync(join(tmpdir(), 'msgqueue-sqlite-'));
  cleanups.push(async () => rmSync(sqliteDir, { recursive: true, force: true }));
  project.provide('postgresUrl', postgresUrl);
  project.provide('mariadbUrl', mariadbUrl);
  project.provide('sqliteDir', sqliteDir);
  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((e: unknown) => console.warn('[msgqueue] cleanup failed:', e));
  };
}
