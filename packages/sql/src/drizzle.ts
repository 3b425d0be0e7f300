/**
 * `@org/msgqueue-sql/drizzle`: the queue over a Drizzle database — node-postgres, mysql2 or
 * better-sqlite3 — or over one of its transactions.
 *
 * ```ts
 * import { drizzleAdapter } from '@org/msgqueue-sql/drizzle';
 * const queue = createQueue({ adapter: drizzleAdapter(db, { dialect: 'postgresql' }) });
 * ```
 *
 * @packageDocumentation
 */
import { MsgQueueError, type StorageAdapter } from '@org/msgqueue';
import { param, type SQL, type SQLChunk, sql } from 'drizzle-orm';
import type { Row, SqlClient, SqlDialect } from './client.js';
import { DIALECTS } from './mapping.js';
import { type SqlAdapterOptions, sqlAdapter } from './sql-adapter.js';
import { holds, waitTurn, withTurn } from './sqlite-turns.js';
import type { Statement } from './template.js';

/**
 * What the adapter uses of a Drizzle database or transaction, per dialect: `execute` on PostgreSQL
 * (node-postgres answers `{ rows, rowCount }`) and MySQL (mysql2 answers `[rows | header, fields]`),
 * `all` and `run` on SQLite (better-sqlite3), `transaction` where the engine needs one (MySQL).
 */
export interface DrizzleLike {
  /** PostgreSQL and MySQL: run a statement. */
  execute?(query: SQL): Promise<unknown>;
  /** SQLite: the rows of a statement. */
  all?(query: SQL): unknown;
  /** SQLite: run a statement that returns no rows. */
  run?(query: SQL): unknown;
  /** `fn` inside one transaction, rolled back when it throws. */
  transaction?(fn: (tx: DrizzleLike) => Promise<unknown>): Promise<unknown>;
}

/**
 * Our statement as a Drizzle `SQL`: its text pieces verbatim, each value one bound parameter
 * (`param`, so an array stays one array parameter instead of a list).
 */
function toSql({ strings, values }: Statement): SQL {
  const chunks: SQLChunk[] = [];
  for (const [i, text] of strings.entries()) {
    chunks.push(sql.raw(text));
    if (i < values.length) chunks.push(param(values[i]));
  }
  return sql.join(chunks);
}

/** A Drizzle database (or transaction) as the engine's {@link SqlClient}. */
export function drizzleClient(db: DrizzleLike, dialect: SqlDialect): SqlClient {
  if (dialect === 'sqlite') return sqliteClient(db, true);
  const answer = EXECUTE_RESULT[dialect];
  return {
    query: async (s) => answer.rows(await db.execute!(toSql(s))),
    execute: async (s) => answer.count(await db.execute!(toSql(s))),
    transaction: (fn) => db.transaction!((tx) => fn(drizzleClient(tx, dialect))) as ReturnType<typeof fn>,
  };
}

/** What `db.execute` answers, per driver: node-postgres a result with rows, mysql2 a [rows, fields] pair. SQLite uses `all` and `run`. */
const EXECUTE_RESULT: Record<Exclude<SqlDialect, 'sqlite'>, { rows(result: unknown): Row[]; count(result: unknown): number }> = {
  postgresql: {
    rows: (result) => (result as { rows: Row[] }).rows,
    count: (result) => Number((result as { rowCount?: number | null }).rowCount ?? 0),
  },
  mysql: {
    rows: (result) => (result as [Row[]])[0] ?? [],
    count: (result) => Number((result as [{ affectedRows?: number }])[0]?.affectedRows ?? 0),
  },
};

/**
 * better-sqlite3 through Drizzle. `waits`: each statement first waits for a {@link sqliteTransaction}
 * open on the connection to end (the queue's own statements); a caller's transaction's do not.
 */
function sqliteClient(db: DrizzleLike, waits: boolean): SqlClient {
  const connection = connectionOf(db);
  const turn = () => (waits ? waitTurn(connection) : undefined);
  return {
    query: async (s) => {
      await turn();
      return (await db.all!(toSql(s))) as Row[];
    },
    execute: async (s) => {
      await turn();
      return Number(((await db.run!(toSql(s))) as { changes?: number | bigint }).changes ?? 0);
    },
    // better-sqlite3 transactions are synchronous; the engine runs one autocommit statement per
    // operation on SQLite and never asks for one.
    transaction: () =>
      Promise.reject(new MsgQueueError('INVALID_ARGUMENT', 'drizzleAdapter: SQLite statements run one at a time, without a transaction.')),
  };
}

/** The better-sqlite3 connection under a Drizzle database or transaction (`$client`, or a transaction's session client). */
function connectionOf(db: DrizzleLike): BetterSqliteLike | DrizzleLike {
  const d = db as { $client?: BetterSqliteLike; session?: { client?: BetterSqliteLike } };
  return d.$client ?? d.session?.client ?? db;
}

/** What this module uses of a better-sqlite3 `Database`. */
interface BetterSqliteLike {
  readonly inTransaction: boolean;
  exec(sql: string): unknown;
}

const isSqliteConnection = (c: unknown): c is BetterSqliteLike =>
  typeof (c as BetterSqliteLike | null)?.exec === 'function' && typeof (c as BetterSqliteLike).inTransaction === 'boolean';

/**
 * An async transaction over a Drizzle database on better-sqlite3: `BEGIN IMMEDIATE`, your callback,
 * `COMMIT` — or `ROLLBACK` when it throws, and the error rethrown. Drizzle's own
 * `db.transaction(…)` cannot be used with an `await` inside on better-sqlite3 (its transactions are
 * synchronous: what follows the first `await` runs after it ended); this one can, so a message
 * enqueued with `{ transaction: tx }` commits or rolls back with your writes.
 *
 * While it is open, the queue's other statements on this connection (a claim, an ack from a tick in
 * the same process) wait for it to end rather than land inside it; a second `sqliteTransaction` waits
 * its turn. Use it for every async write transaction on that database; other code of yours that
 * writes through `db` while it is open writes inside it, as with any single connection.
 *
 * ```ts
 * import { sqliteTransaction } from '@org/msgqueue-sql/drizzle';
 *
 * await sqliteTransaction(db, async (tx) => {
 *   await tx.insert(orders).values(order);
 *   await outbox.enqueue({ orderId: order.id }, { transaction: tx });
 * });
 * ```
 *
 * @param db - the Drizzle database (`drizzle(new Database(file))`).
 * @param fn - your writes; `tx` is `db` itself, inside the transaction.
 */
export async function sqliteTransaction<D extends DrizzleLike, T>(db: D, fn: (tx: D) => Promise<T>): Promise<T> {
  const connection = connectionOf(db);
  if (!isSqliteConnection(connection)) {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      'sqliteTransaction: expected a Drizzle database over better-sqlite3 (drizzle(new Database(file))).',
      {
        field: 'db',
      },
    );
  }
  if (typeof fn !== 'function') {
    throw new MsgQueueError('INVALID_ARGUMENT', 'sqliteTransaction: expected your callback, async (tx) => { … }, as the second argument.', {
      field: 'fn',
    });
  }
  if (holds(connection)) {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      'sqliteTransaction: already inside a sqliteTransaction on this database; SQLite does not nest them. Use the outer tx.',
      { field: 'db' },
    );
  }
  return withTurn(connection, async () => {
    connection.exec('BEGIN IMMEDIATE');
    let result: T;
    try {
      result = await fn(db);
    } catch (error) {
      if (connection.inTransaction) connection.exec('ROLLBACK');
      throw error;
    }
    connection.exec('COMMIT');
    return result;
  });
}

/** The methods a Drizzle database has, per driver: better-sqlite3's are synchronous. */
const DRIVER_METHODS: Record<SqlDialect, readonly string[]> = {
  postgresql: ['execute', 'transaction'],
  mysql: ['execute', 'transaction'],
  sqlite: ['all', 'run'],
};

/** Options of {@link drizzleAdapter}: the SQL your Drizzle database speaks, and the table. */
export type DrizzleAdapterOptions = SqlAdapterOptions;

/** A storage adapter over Drizzle. `dialect` is the database your Drizzle driver talks to. */
export function drizzleAdapter(db: DrizzleLike, options: DrizzleAdapterOptions): StorageAdapter {
  const dialect = (options as { dialect?: unknown } | undefined)?.dialect;
  const known = (DIALECTS as readonly unknown[]).includes(dialect);
  const needs = known ? DRIVER_METHODS[dialect as SqlDialect] : [];
  if (known && (!db || needs.some((m) => typeof (db as Record<string, unknown>)[m] !== 'function'))) {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      `drizzleAdapter: expected a Drizzle database ${dialect === 'sqlite' ? 'for better-sqlite3' : ''} with ${needs.join(' and ')}; check options.dialect matches your driver.`,
      { field: 'db' },
    );
  }
  return sqlAdapter(drizzleClient(db, dialect as SqlDialect), options, {
    name: 'drizzle',
    fromTransaction: (transaction) => transactionClient(transaction as DrizzleLike, dialect as SqlDialect),
  });
}

/** The caller's transaction as a client, refusing what would write outside it. */
function transactionClient(tx: DrizzleLike, dialect: SqlDialect): SqlClient {
  const refuse = (message: string) =>
    new MsgQueueError('INVALID_ARGUMENT', `options.transaction: ${message}`, { field: 'options.transaction' });
  const isTransaction = typeof (tx as { rollback?: unknown } | null)?.rollback === 'function';
  if (dialect !== 'sqlite') {
    if (typeof tx?.execute !== 'function' || !isTransaction) {
      throw refuse(
        'expected the Drizzle transaction your callback gets (db.transaction(async (tx) => …)), not the database: a database runs each statement on any connection of its pool, outside your transaction.',
      );
    }
    return drizzleClient(tx, dialect);
  }
  if (typeof tx?.all !== 'function' || typeof tx.run !== 'function') {
    throw refuse('expected the tx of sqliteTransaction(db, async (tx) => …) from @org/msgqueue-sql/drizzle.');
  }
  if (isTransaction && (tx as { resultKind?: unknown }).resultKind === 'sync') {
    throw refuse(
      "Drizzle's better-sqlite3 transactions are synchronous: what follows an `await` inside db.transaction(…) runs after it has ended, outside it. Use sqliteTransaction(db, async (tx) => …) from @org/msgqueue-sql/drizzle.",
    );
  }
  const connection = connectionOf(tx);
  if (isSqliteConnection(connection) && !connection.inTransaction) {
    throw refuse(
      'not inside an open transaction: the message would not roll back with your writes, so nothing was written. Use sqliteTransaction(db, async (tx) => …) from @org/msgqueue-sql/drizzle and pass its tx.',
    );
  }
  return sqliteClient(tx, false);
}
