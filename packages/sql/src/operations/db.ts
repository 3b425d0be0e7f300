import type { Row, SqlClient } from '../client.js';
import type { Dialect } from '../dialects/dialect.js';
import { render, type Sql } from '../template.js';

/** A client and its dialect: statements are rendered here, once, right before they run. */
export interface Db {
  readonly client: SqlClient;
  readonly dialect: Dialect;
  /** Rows of a statement; `prepare` for a statement whose text does not vary with the data (see {@link Statement.name}). */
  rows(statement: Sql, prepare?: boolean): Promise<Row[]>;
  /** Rows affected (see {@link SqlClient.execute}). */
  count(statement: Sql, prepare?: boolean): Promise<number>;
  /** A transaction; on MySQL/MariaDB retried on deadlock (1213) and lock wait timeout (1205). */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}

const DEADLOCK_RETRIES = 5;

export function dbOf(client: SqlClient, dialect: Dialect): Db {
  return {
    client,
    dialect,
    rows: (statement, prepare) => client.query(render(statement, dialect.placeholder, prepare)),
    count: (statement, prepare) => client.execute(render(statement, dialect.placeholder, prepare)),
    async transaction(fn) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await client.transaction((tx) => fn(dbOf(tx, dialect)));
        } catch (error) {
          if (attempt >= DEADLOCK_RETRIES || !isDeadlock(error)) throw error;
          await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
        }
      }
    },
  };
}

/**
 * A MySQL/MariaDB deadlock (1213) or lock wait timeout (1205), however the client reports it:
 * mysql2's and mariadb's `errno`, Prisma's P2034 or its message. Concurrent SKIP LOCKED claimers
 * can deadlock even so (MySQL bug #111637); the transaction is simply run again.
 */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown; message?: unknown; meta?: { code?: unknown }; cause?: unknown };
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'P2034' || e.errno === 1213 || e.errno === 1205) return true;
  if (e.code === 'ER_LOCK_DEADLOCK' || e.code === 'ER_LOCK_WAIT_TIMEOUT') return true;
  const text = `${String(e.meta?.code ?? '')} ${String(e.message ?? '')}`;
  if (/\b(1213|1205)\b|deadlock|lock wait timeout/i.test(text)) return true;
  return e.cause !== undefined && e.cause !== error && isDeadlock(e.cause);
}
