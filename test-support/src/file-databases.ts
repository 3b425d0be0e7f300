/**
 * A setup file of the `db` and `e2e` projects: before a test file runs, a PostgreSQL database (and a
 * MariaDB one, with MARIADB_URL) and a SQLite folder of its own; all gone after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { setFileDatabases } from './databases.js';
import { privateDatabase } from './private-database.js';

const postgres = await privateDatabase('postgresql', inject('postgresServer'));
const server = inject('mariadbServer');
const mariadb = server ? await privateDatabase('mysql', server) : null;
const sqliteDir = mkdtempSync(join(tmpdir(), 'msgqueue-sqlite-'));
setFileDatabases({ postgres: postgres.url, mariadb: mariadb?.url ?? null, sqliteDir });

afterAll(async () => {
  setFileDatabases(undefined);
  await postgres.drop().catch((e: unknown) => console.warn('[msgqueue] could not drop a test database:', e));
  await mariadb?.drop().catch((e: unknown) => console.warn('[msgqueue] could not drop a test database:', e));
  rmSync(sqliteDir, { recursive: true, force: true });
});
