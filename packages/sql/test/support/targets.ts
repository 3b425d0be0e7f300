/**
 * The clients × databases the engine is tested on. Each target opens connections through one
 * client; a connection gives adapters over it, raw SQL for test setup, and the client's own way
 * of running a transaction (for enqueue inside the caller's transaction).
 */
import type { StorageAdapter } from '@org/msgqueue';
import type { Row, SqlAdapterOptions, SqlClient, SqlDialect } from '@org/msgqueue-sql';
import { pgAdapter, pgClient } from '@org/msgqueue-sql/pg';
import { pgPool } from './drivers.js';

/** Adapter options without the dialect (the target fixes it). */
export type TableOptions = Omit<SqlAdapterOptions, 'dialect'>;

/** One connection (or pool) through a target's client. */
export interface Connection {
  adapter(options?: TableOptions): StorageAdapter;
  /** Raw SQL for test setup, through the same client. */
  exec(text: string, values?: unknown[]): Promise<number>;
  rows(text: string, values?: unknown[]): Promise<Row[]>;
  /**
   * Run `fn` inside a transaction of the client's own kind, handing it what a user would pass as
   * `transaction` to enqueue (a pg PoolClient after BEGIN, a Kysely or Drizzle transaction).
   */
  transaction<T>(fn: (tx: unknown) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** A client over one database. */
export interface Target {
  /** `client:dialect`, e.g. `pg:postgresql`. */
  name: string;
  dialect: SqlDialect;
  /** Open a connection (a pool of `size`). */
  open(size?: number): Promise<Connection>;
}

/** Raw statements through a SqlClient (placeholders already in the dialect's form). */
function raw(client: SqlClient) {
  const statement = (text: string, values: unknown[] = []) => ({ text, values, strings: [text] });
  return {
    exec: (text: string, values?: unknown[]) => client.execute(statement(text, values)),
    rows: (text: string, values?: unknown[]) => client.query(statement(text, values)),
  };
}

const pgTarget: Target = {
  name: 'pg:postgresql',
  dialect: 'postgresql',
  async open(size = 4) {
    const pool = pgPool(size);
    return {
      adapter: (options) => pgAdapter(pool, options),
      ...raw(pgClient(pool)),
      async transaction(fn) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const result = await fn(client);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
      },
      close: () => pool.end(),
    };
  },
};

/** Every target this run can reach (MySQL ones only when MARIADB_URL is set). */
export function targets(): Target[] {
  return [pgTarget];
}
