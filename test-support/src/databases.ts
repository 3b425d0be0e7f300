/**
 * The databases of one test file. The global setup starts (or finds) one server of each kind; each
 * test file gets databases of its own on them (file-databases.ts), so files can run side by side and
 * none clears another's tables. These accessors answer the current file's.
 */
import { join } from 'node:path';

/** The current test file's databases: set by file-databases.ts before the file's own code runs. */
export interface FileDatabases {
  /** A PostgreSQL database of this file's own. */
  postgres: string;
  /** A MariaDB/MySQL database of this file's own, or null when MARIADB_URL is not set. */
  mariadb: string | null;
  /** A folder of this file's own for SQLite files. */
  sqliteDir: string;
}

let current: FileDatabases | undefined;

/** Called by file-databases.ts. */
export function setFileDatabases(databases: FileDatabases | undefined): void {
  current = databases;
}

function mine(): FileDatabases {
  if (!current) {
    throw new Error(
      'no database for this test file: it runs in a project without @org/msgqueue-test-support/file-databases in its setupFiles (the unit project starts no database)',
    );
  }
  return current;
}

/** This file's PostgreSQL database URL. */
export const postgresUrl = (): string => mine().postgres;
/** This file's MariaDB database URL, or null when MARIADB_URL is not set. */
export const mariadbUrl = (): string | null => mine().mariadb;
/** Whether this run has a MariaDB/MySQL (MARIADB_URL). */
export const hasMariadb = (): boolean => mine().mariadb !== null;
/** A SQLite file of this test file's own folder. */
export const sqliteFile = (name: string): string => join(mine().sqliteDir, `${name}.db`);
