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
  if (dialect === 'sqlite') {
    return {
      query: async (s) => (await db.all!(toSql(s))) as Row[],
      execute: async (s) => Number(((await db.run!(toSql(s))) as { changes?: number | bigint }).changes ?? 0),
      // better-sqlite3 transactions are synchronous; the engine runs one autocommit statement per
      // operation on SQLite and never asks for one.
      transaction: () =>
        Promise.reject(
          new MsgQueueError('INVALID_ARGUMENT', 'drizzleAdapter: SQLite statements run one at a time, without a transaction.'),
        ),
    };
  }
  const client: SqlClient = {
    async query(s) {
      const result = await db.execute!(toSql(s));
      return dialect === 'mysql' ? ((result as [Row[]])[0] ?? []) : (result as { rows: Row[] }).rows;
    },
    async execute(s) {
      const result = await db.execute!(toSql(s));
      return dialect === 'mysql'
        ? Number((result as [{ affectedRows?: number }])[0]?.affectedRows ?? 0)
        : Number((result as { rowCount?: number | null }).rowCount ?? 0);
    },
    transaction: (fn) => db.transaction!((tx) => fn(drizzleClient(tx, dialect))) as ReturnType<typeof fn>,
  };
  return client;
}

/** Options of {@link drizzleAdapter}: the SQL your Drizzle database speaks, and the table. */
export type DrizzleAdapterOptions = SqlAdapterOptions;

/** A storage adapter over Drizzle. `dialect` is the database your Drizzle driver talks to. */
export function drizzleAdapter(db: DrizzleLike, options: DrizzleAdapterOptions): StorageAdapter {
  const dialect = (options as { dialect?: unknown } | undefined)?.dialect;
  const needs = dialect === 'sqlite' ? ['all', 'run'] : ['execute', 'transaction'];
  const known = (DIALECTS as readonly unknown[]).includes(dialect);
  if (known && (!db || needs.some((m) => typeof (db as Record<string, unknown>)[m] !== 'function'))) {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      `drizzleAdapter: expected a Drizzle database ${dialect === 'sqlite' ? 'for better-sqlite3' : ''} with ${needs.join(' and ')}; check options.dialect matches your driver.`,
      { field: 'db' },
    );
  }
  return sqlAdapter(drizzleClient(db, dialect as SqlDialect), options, {
    name: 'drizzle',
    fromTransaction(transaction) {
      const tx = transaction as DrizzleLike;
      const usable = dialect === 'sqlite' ? typeof tx?.all === 'function' : typeof tx?.execute === 'function';
      if (!usable) {
        throw new MsgQueueError(
          'INVALID_ARGUMENT',
          'options.transaction: expected the Drizzle transaction your callback gets (db.transaction(async (tx) => …)).',
          {
            field: 'options.transaction',
          },
        );
      }
      return drizzleClient(tx, dialect as SqlDialect);
    },
  });
}
