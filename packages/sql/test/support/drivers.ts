/** Driver connections for the engine's own tests, on the test file's own databases. */
import { hasMariadb, mariadbUrl, postgresUrl, sqliteFile } from '@org/msgqueue-test-support';
import Database from 'better-sqlite3';
import { createPool as createMysqlCallbackPool, type Pool as MysqlCallbackPool } from 'mysql2';
import { createPool as createMysqlPool, type Pool as MysqlPool } from 'mysql2/promise';
import pg from 'pg';

/** A node-postgres pool on the tests' PostgreSQL. */
export function pgPool(max = 4): pg.Pool {
  return new pg.Pool({ connectionString: postgresUrl(), max });
}

/** Whether this run has a MariaDB/MySQL (MARIADB_URL). */
export const hasMysql = hasMariadb;

/** mysql2 connection options for the tests' MariaDB, or null when MARIADB_URL is not set. */
function mysqlOptions(connectionLimit: number) {
  const url = mariadbUrl();
  if (!url) return null;
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 3306),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
    connectionLimit,
  };
}

/** A mysql2 promise pool on the tests' MariaDB (what Drizzle takes), or null when MARIADB_URL is not set. */
export function mysqlPool(connectionLimit = 4): MysqlPool | null {
  const options = mysqlOptions(connectionLimit);
  return options && createMysqlPool(options);
}

/** A mysql2 callback pool (what Kysely's MysqlDialect takes), or null when MARIADB_URL is not set. */
export function mysqlCallbackPool(connectionLimit = 4): MysqlCallbackPool | null {
  const options = mysqlOptions(connectionLimit);
  return options && createMysqlCallbackPool(options);
}

/** A better-sqlite3 connection on a file of the tests' SQLite folder, in WAL mode with a busy timeout. */
export function sqliteDatabase(name: string): Database.Database {
  const db = new Database(sqliteFile(name), { timeout: 20_000 });
  db.pragma('journal_mode = WAL');
  return db;
}
