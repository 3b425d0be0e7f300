/**
 * Before a message is written through the caller's transaction: is that handle inside an open
 * transaction, and on which database? A pool, a root client, a connection in autocommit, or a
 * transaction that already committed would write the message on its own — it would survive the
 * rollback of the business write it belongs to. The probe runs on the handle itself, so it sees
 * exactly what the insert would.
 *
 * - PostgreSQL: `LOCK TABLE … IN ACCESS SHARE MODE` is refused outside a transaction block (25P01);
 *   inside one it takes the weakest lock, which the insert's own lock includes anyway. (Comparing
 *   `transaction_timestamp()` with `statement_timestamp()` cannot tell: the extended protocol that
 *   drivers use for parameters starts the implicit transaction at Parse and the statement at Execute.)
 * - MariaDB: `@@in_transaction`. MySQL has no such variable: there, `SAVEPOINT` then `RELEASE SAVEPOINT`
 *   — in autocommit the savepoint ends with its own statement and the release fails (1305); inside a
 *   transaction both succeed and leave nothing behind.
 * - SQLite: no statement tells without side effects (BEGIN would start a transaction that another
 *   statement on the same connection could slip into), so the client says (better-sqlite3's
 *   `inTransaction`, Kysely's and Prisma's own transaction state).
 *
 * The identity (server, database and the mapped table) lets the adapter refuse a transaction on
 * another database than its own, once it knows its own.
 */
import type { SqlDialect } from '../client.js';
import type { Table } from '../table.js';
import { raw, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

/** Whether the handle is inside an open transaction; null when this dialect cannot tell. */
type Probe = (db: Db, t: Table) => Promise<boolean | null>;

const PROBES: Record<SqlDialect, Probe> = {
  async postgresql(db, t) {
    try {
      await db.count(sql`LOCK TABLE ${t.name} IN ACCESS SHARE MODE`);
      return true;
    } catch (error) {
      if (matches(error, /\b25P01\b|can only be used in transaction blocks/i)) return false;
      throw error;
    }
  },
  async mysql(db) {
    try {
      const [row] = await db.rows(sql`SELECT @@in_transaction AS open`);
      return Number(row?.open) === 1;
    } catch (error) {
      if (!matches(error, /\b1193\b|unknown system variable/i, 1193)) throw error;
    }
    // MySQL: no @@in_transaction.
    await db.count(raw('SAVEPOINT msgqueue_probe'));
    try {
      await db.count(raw('RELEASE SAVEPOINT msgqueue_probe'));
      return true;
    } catch {
      return false;
    }
  },
  sqlite: async () => null,
};

/** Whether `db` (the caller's handle) is inside an open transaction; null when the dialect cannot tell. */
export function inTransaction(db: Db, t: Table): Promise<boolean | null> {
  return PROBES[db.dialect.name](db, t);
}

/** The server, database and table `db` writes to, as one comparable text ('' on SQLite: one file, one connection). */
export async function databaseIdentity(db: Db, t: Table): Promise<string> {
  const identity = IDENTITY[db.dialect.name](t);
  if (identity === null) return '';
  const [row] = await db.rows(sql`SELECT ${identity} AS identity`);
  return String(row?.identity);
}

/** The expression naming the server, database and table; null where a connection cannot write elsewhere. */
const IDENTITY: Record<SqlDialect, (t: Table) => Sql | null> = {
  postgresql: (t) =>
    sql`concat_ws('/', pg_postmaster_start_time()::text, current_database(), to_regclass(${t.dialect.quote(t.mapping.table)})::oid::text)`,
  mysql: (t) => sql`CONCAT_WS('/', @@hostname, @@port, DATABASE(), ${t.mapping.table})`,
  sqlite: () => null,
};

/** A driver error with this message or errno, however the client wraps it. */
function matches(error: unknown, pattern: RegExp, errno?: number): boolean {
  const e = error as { errno?: unknown; code?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if ((errno !== undefined && e.errno === errno) || pattern.test(`${String(e.code ?? '')} ${String(e.message ?? '')}`)) return true;
  return e.cause !== undefined && e.cause !== error && matches(e.cause, pattern, errno);
}
