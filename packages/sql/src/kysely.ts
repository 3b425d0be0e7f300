/**
 * `@org/msgqueue-sql/kysely`: the queue over a Kysely instance (PostgreSQL, MySQL/MariaDB or SQLite
 * dialect), or over one of its transactions.
 *
 * ```ts
 * import { kyselyAdapter } from '@org/msgqueue-sql/kysely';
 * const queue = createQueue({ adapter: kyselyAdapter(db, { dialect: 'postgresql' }) });
 * ```
 *
 * @packageDocumentation
 */
import { MsgQueueError, type StorageAdapter } from '@org/msgqueue';
import { CompiledQuery, type Kysely } from 'kysely';
import type { Row, SqlClient } from './client.js';
import { type SqlAdapterOptions, sqlAdapter } from './sql-adapter.js';

/** A Kysely instance (or transaction) over any database schema. */
// biome-ignore lint/suspicious/noExplicitAny: any database schema type will do; the engine writes raw SQL.
export type AnyKysely = Kysely<any>;

/** A Kysely instance (or transaction) as the engine's {@link SqlClient}. */
export function kyselyClient(db: AnyKysely): SqlClient {
  return {
    query: async ({ text, values }) => (await db.executeQuery<Row>(CompiledQuery.raw(text, [...values]))).rows,
    execute: async ({ text, values }) => Number((await db.executeQuery(CompiledQuery.raw(text, [...values]))).numAffectedRows ?? 0),
    transaction(fn) {
      // Inside the caller's transaction already: its statements are the transaction.
      if (db.isTransaction) return fn(kyselyClient(db));
      return db.transaction().execute((trx) => fn(kyselyClient(trx)));
    },
  };
}

/** Options of {@link kyselyAdapter}: the SQL your Kysely dialect speaks, and the table. */
export type KyselyAdapterOptions = SqlAdapterOptions;

/** A storage adapter over Kysely. `dialect` is the database your Kysely dialect talks to. */
export function kyselyAdapter(db: AnyKysely, options: KyselyAdapterOptions): StorageAdapter {
  if (!db || typeof db.executeQuery !== 'function') {
    throw new MsgQueueError('INVALID_ARGUMENT', 'kyselyAdapter: expected a Kysely instance as the first argument.', { field: 'db' });
  }
  return sqlAdapter(kyselyClient(db), options, {
    name: 'kysely',
    fromTransaction(transaction) {
      const trx = transaction as AnyKysely;
      if (typeof trx?.executeQuery !== 'function' || trx.isTransaction !== true) {
        throw new MsgQueueError(
          'INVALID_ARGUMENT',
          'options.transaction: expected the Kysely Transaction your callback gets (db.transaction().execute(async (trx) => …)).',
          { field: 'options.transaction' },
        );
      }
      return kyselyClient(trx);
    },
  });
}
