/**
 * `@org/msgqueue-sql/pg`: the queue over node-postgres — a `pg.Pool`, a `pg.Client`, or a pool
 * client checked out for a transaction of your own.
 *
 * ```ts
 * import { Pool } from 'pg';
 * import { pgAdapter } from '@org/msgqueue-sql/pg';
 * const queue = createQueue({ adapter: pgAdapter(new Pool({ connectionString })) });
 * ```
 *
 * @packageDocumentation
 */
import { type Listening, MsgQueueError, type StorageAdapter } from '@org/msgqueue';
import type { Row, SqlClient } from './client.js';
import { fixedDialectAdapter, type SqlAdapterOptions } from './sql-adapter.js';

/** What the adapter uses of a `pg.Pool`, `pg.Client` or `pg.PoolClient` (typed structurally: `pg` stays your dependency). */
export interface PgQueryable {
  /** `pg`'s `query(text, values)`, or `query({ name, text, values })` for a named prepared statement. */
  query(
    textOrConfig: string | { name: string; text: string; values: unknown[] },
    values?: unknown[],
  ): Promise<{ rows: Row[]; rowCount: number | null }>;
}

/** A `pg.Pool`: it can check out one connection for a transaction. */
export interface PgPoolLike extends PgQueryable {
  /** Check out one connection; `release` gives it back (with an error: discards it). */
  connect(): Promise<
    PgQueryable & {
      /** Give the connection back to the pool. */
      release(error?: Error | boolean): void;
    }
  >;
  readonly totalCount: number;
}

const isPool = (pg: PgQueryable): pg is PgPoolLike => typeof (pg as Partial<PgPoolLike>).connect === 'function' && 'totalCount' in pg;

/** node-postgres as the engine's {@link SqlClient}. */
export function pgClient(pg: PgQueryable): SqlClient {
  return {
    // Named statements are prepared once per connection: PostgreSQL skips planning them after.
    query: async ({ text, values, name }) =>
      (await pg.query(name ? { name, text, values: values as unknown[] } : text, values as unknown[])).rows,
    execute: async ({ text, values, name }) =>
      (await pg.query(name ? { name, text, values: values as unknown[] } : text, values as unknown[])).rowCount ?? 0,
    async transaction(fn) {
      if (!isPool(pg)) return inTransaction(pg, fn);
      const connection = await pg.connect();
      try {
        return await inTransaction(connection, fn);
      } finally {
        connection.release();
      }
    },
  };
}

async function inTransaction<T>(connection: PgQueryable, fn: (tx: SqlClient) => Promise<T>): Promise<T> {
  await connection.query('BEGIN');
  try {
    const result = await fn(pgClient(connection));
    await connection.query('COMMIT');
    return result;
  } catch (error) {
    await connection.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * LISTEN on `channel` on a connection of the pool's own, held until `close` (then destroyed rather
 * than handed back). A connection that fails meanwhile is simply dropped: workers poll.
 */
async function listenOn(pool: PgPoolLike, channel: string, onNotify: (payload: string) => void): Promise<Listening> {
  const connection = await pool.connect();
  const events = connection as unknown as {
    on(event: string, fn: (arg: never) => void): void;
    removeListener(event: string, fn: (arg: never) => void): void;
  };
  const onNotification = (n: { channel: string; payload?: string }) => {
    if (n.channel === channel) onNotify(n.payload ?? '');
  };
  const onError = () => {}; // a broken connection: notifications stop, the worker's polling goes on
  events.on('notification', onNotification);
  events.on('error', onError);
  const quoted = `"${channel.replace(/"/g, '""')}"`;
  try {
    await connection.query(`LISTEN ${quoted}`);
  } catch (error) {
    events.removeListener('notification', onNotification);
    connection.release(error as Error);
    throw error;
  }
  let closed = false;
  return {
    async close() {
      if (closed) return;
      closed = true;
      await connection.query(`UNLISTEN ${quoted}`).catch(() => {});
      events.removeListener('notification', onNotification);
      connection.release(true);
    },
  };
}

/** Options of {@link pgAdapter}: the table it maps onto (the dialect is PostgreSQL). */
export type PgAdapterOptions = Omit<SqlAdapterOptions, 'dialect'>;

/** A storage adapter over node-postgres (PostgreSQL). */
export function pgAdapter(pg: PgQueryable, options: PgAdapterOptions = {}): StorageAdapter {
  if (!pg || typeof pg.query !== 'function') {
    throw new MsgQueueError('INVALID_ARGUMENT', 'pgAdapter: expected a pg Pool, Client or PoolClient as the first argument.', {
      field: 'pg',
    });
  }
  return fixedDialectAdapter(pgClient(pg), options, 'postgresql', {
    name: 'pg',
    ...(isPool(pg) ? { listen: (channel: string, onNotify: (payload: string) => void) => listenOn(pg, channel, onNotify) } : {}),
    fromTransaction(transaction) {
      const tx = transaction as PgQueryable;
      if (typeof tx?.query !== 'function' || isPool(tx)) {
        throw new MsgQueueError(
          'INVALID_ARGUMENT',
          'options.transaction: expected the pg client you ran BEGIN on (from pool.connect(), or a Client), not a Pool: a pool runs each statement on any connection.',
          { field: 'options.transaction' },
        );
      }
      return pgClient(tx);
    },
  });
}
