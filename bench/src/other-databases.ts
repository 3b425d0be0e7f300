/** MariaDB and SQLite for the bench: a msgqueue adapter over Kysely, and the raw driver beside it. */
import type { StorageAdapter } from '@org/msgqueue';
import { kyselyAdapter } from '@org/msgqueue-sql/kysely';

/** An open database: the library's adapter, raw statements, and how to let go. */
export interface Opened {
  adapter: StorageAdapter;
  exec(text: string): Promise<unknown>;
  close(): Promise<void>;
}

/** Kysely over a mysql2 pool of `size` on MariaDB/MySQL. */
export async function openMysql(url: string, size: number): Promise<Opened & { pool: import('mysql2/promise').Pool }> {
  const { Kysely, MysqlDialect } = await import('kysely');
  const mysql = await import('mysql2');
  const uri = url.replace(/^mariadb:/, 'mysql:');
  const callbackPool = mysql.createPool({ uri, connectionLimit: size });
  const db = new Kysely<unknown>({ dialect: new MysqlDialect({ pool: callbackPool as never }) });
  const pool = callbackPool.promise();
  return {
    adapter: kyselyAdapter(db as never, { dialect: 'mysql', lockTable: false }),
    pool,
    exec: (text) => pool.query(text),
    close: () => db.destroy(),
  };
}

/** Kysely over better-sqlite3 (WAL) on the file `url`. */
export async function openSqlite(url: string): Promise<Opened & { db: import('better-sqlite3').Database }> {
  const { Kysely, SqliteDialect } = await import('kysely');
  const Database = (await import('better-sqlite3')).default;
  const raw = new Database(url.replace(/^file:/, ''), { timeout: 20_000 });
  raw.pragma('journal_mode = WAL');
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: raw }) });
  return {
    adapter: kyselyAdapter(db as never, { dialect: 'sqlite', lockTable: false }),
    db: raw,
    exec: async (text) => void raw.exec(text),
    close: () => db.destroy(),
  };
}
