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
  /** A transaction, run again when the database aborted it as a deadlock or a serialization failure. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}

const RETRIES = 60;

/**
 * Run `attempt` again (at most RETRIES times, after a short random pause that grows) while the
 * database answers that it aborted it and it might succeed if retried: a deadlock or lock wait
 * timeout on MySQL/MariaDB, a serialization failure (40001) or deadlock (40P01) on PostgreSQL —
 * which SERIALIZABLE isolation, or an engine that runs every transaction so (CockroachDB), raises
 * between concurrent claims. What was aborted left nothing behind, so running it again is safe.
 */
function retried<T>(attempt: () => Promise<T>): Promise<T> {
  // The first try without an async frame of its own: the hot path pays for no retry machinery.
  let first: Promise<T>;
  try {
    first = attempt();
  } catch (error) {
    return Promise.reject(error);
  }
  return first.catch((error: unknown) => {
    if (!(isDeadlock(error) || isSerializationFailure(error))) throw error;
    return retriedAfter(attempt);
  });
}

async function retriedAfter<T>(attempt: () => Promise<T>): Promise<T> {
  await pause(1);
  for (let n = 2; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= RETRIES || !(isDeadlock(error) || isSerializationFailure(error))) throw error;
      await pause(n);
    }
  }
}

/** A short random pause that grows with the attempt `n`. */
const pause = (n: number) => new Promise((r) => setTimeout(r, Math.random() * Math.min(250, 5 * 2 ** n)));

/**
 * The engine's statements over a client. `own`: the client is the adapter's own (each statement its
 * own transaction, or one of ours), so an aborted statement or transaction is run again; not so for a
 * caller's transaction, which the abort has ended as a whole (the caller retries it, or not).
 */
export function dbOf(client: SqlClient, dialect: Dialect, own = true): Db {
  const inner = (tx: SqlClient) => dbOf(tx, dialect, false);
  const run = <T>(attempt: () => Promise<T>) => (own ? retried(attempt) : attempt());
  return {
    client,
    dialect,
    rows: (statement, prepare) => run(() => client.query(render(statement, dialect.placeholder, prepare))),
    count: (statement, prepare) => run(() => client.execute(render(statement, dialect.placeholder, prepare))),
    transaction: (fn) => run(() => client.transaction((tx) => fn(inner(tx)))),
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

/**
 * A PostgreSQL serialization failure (SQLSTATE 40001) or deadlock (40P01) — also what CockroachDB
 * answers a transaction to retry — however the client reports it: node-postgres's `code`, Prisma's
 * P2034 or the SQLSTATE in its message. The engine runs its own statements again when it sees one.
 *
 * @category Adapters
 */
export function isSerializationFailure(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; meta?: { code?: unknown }; cause?: unknown };
  if (!e || typeof e !== 'object') return false;
  if (e.code === '40001' || e.code === '40P01' || e.code === 'P2034') return true;
  const text = `${String(e.meta?.code ?? '')} ${String(e.message ?? '')}`;
  if (/\b40001\b|\b40P01\b|could not serialize access|deadlock detected/i.test(text)) return true;
  return e.cause !== undefined && e.cause !== error && isSerializationFailure(e.cause);
}
