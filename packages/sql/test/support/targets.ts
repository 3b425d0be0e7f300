/**
 * The clients × databases the engine is tested on. Each target opens connections through one
 * client; a connection gives adapters over it, raw SQL for test setup, and the client's own way
 * of running a transaction (for enqueue inside the caller's transaction).
 */
import type { StorageAdapter } from '@org/msgqueue';
import type { Row, SqlAdapterOptions, SqlClient, SqlDialect } from '@org/msgqueue-sql';
import { drizzleAdapter, drizzleClient, sqliteTransaction } from '@org/msgqueue-sql/drizzle';
import { kyselyAdapter, kyselyClient } from '@org/msgqueue-sql/kysely';
import { pgAdapter, pgClient } from '@org/msgqueue-sql/pg';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzleMysql } from 'drizzle-orm/mysql2';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import { mysql2Adapter, mysql2Client } from '../examples/mysql2-adapter.js';
import { hasMysql, mysqlCallbackPool, mysqlPool, pgPool, sqliteDatabase } from './drivers.js';

/** Adapter options without the dialect (the target fixes it). */
export type TableOptions = Omit<SqlAdapterOptions, 'dialect'>;

/** One connection (or pool) through a target's client. */
export interface Connection {
  adapter(options?: TableOptions): StorageAdapter;
  /** The engine's client over this connection (for adapters of a test's own, `sqlAdapter(wrap(engine), …)`). */
  engine: SqlClient;
  /** Raw SQL for test setup, through the same client. */
  exec(text: string, values?: unknown[]): Promise<number>;
  rows(text: string, values?: unknown[]): Promise<Row[]>;
  /**
   * Run `fn` inside a transaction of the client's own kind, handing it what a user would pass as
   * `transaction` to enqueue (a pg PoolClient after BEGIN, a Kysely or Drizzle transaction).
   */
  transaction<T>(fn: (tx: unknown) => Promise<T>): Promise<T>;
  /** The client itself (a pool, a database), which a user may pass as `transaction` by mistake; none where it is the transaction (one SQLite connection). */
  client?: unknown;
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
  // The text around the placeholders, for clients that bind values themselves (Drizzle).
  const statement = (text: string, values: unknown[] = []) => ({ text, values, strings: values.length ? text.split(/\$\d+|\?/) : [text] });
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
      engine: pgClient(pool),
      ...raw(pgClient(pool)),
      client: pool,
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

/** A driver connection for a dialect, with how to close it (null: the database is not configured). */
async function driverFor(dialect: SqlDialect, size: number, sqliteName: string) {
  if (dialect === 'postgresql') {
    const pool = pgPool(size);
    return { pg: pool, close: () => pool.end() };
  }
  if (dialect === 'mysql') {
    const pool = mysqlPool(size)!;
    return { mysql: pool, close: () => pool.end() };
  }
  const database = sqliteDatabase(sqliteName);
  return { sqlite: database, close: async () => void database.close() };
}

function kyselyTarget(dialect: SqlDialect): Target {
  return {
    name: `kysely:${dialect}`,
    dialect,
    async open(size = 4) {
      // biome-ignore lint/suspicious/noExplicitAny: raw SQL needs no schema type.
      const db = new Kysely<any>({
        dialect:
          dialect === 'postgresql'
            ? new PostgresDialect({ pool: pgPool(size) })
            : dialect === 'mysql'
              ? new MysqlDialect({ pool: mysqlCallbackPool(size)! })
              : new SqliteDialect({ database: sqliteDatabase('kysely') }),
      });
      return {
        adapter: (options) => kyselyAdapter(db, { ...options, dialect }),
        engine: kyselyClient(db),
        ...raw(kyselyClient(db)),
        client: db,
        transaction: (fn) => db.transaction().execute(fn),
        close: () => db.destroy(),
      };
    },
  };
}

function drizzleTarget(dialect: SqlDialect): Target {
  return {
    name: `drizzle:${dialect}`,
    dialect,
    async open(size = 4) {
      const driver = await driverFor(dialect, size, 'drizzle');
      const db =
        dialect === 'postgresql'
          ? drizzlePg(driver.pg!)
          : dialect === 'mysql'
            ? drizzleMysql(driver.mysql!)
            : drizzleSqlite(driver.sqlite!);
      return {
        adapter: (options) => drizzleAdapter(db as never, { ...options, dialect }),
        engine: drizzleClient(db as never, dialect),
        ...raw(drizzleClient(db as never, dialect)),
        // On SQLite the database is the one connection: inside sqliteTransaction, it is the transaction.
        ...(dialect === 'sqlite' ? {} : { client: db }),
        transaction: (fn) =>
          dialect === 'sqlite'
            ? // better-sqlite3 transactions are synchronous: the package's async one instead.
              sqliteTransaction(db as never, fn)
            : ((db as unknown as { transaction(f: (tx: unknown) => Promise<unknown>): Promise<unknown> }).transaction(
                fn,
              ) as Promise<never>),
        close: driver.close,
      };
    },
  };
}

/** The third-party adapter written in docs/adapters.md (test/examples/mysql2-adapter.ts). */
const mysql2Target: Target = {
  name: 'mysql2 (docs example):mysql',
  dialect: 'mysql',
  async open(size = 4) {
    const pool = mysqlPool(size)!;
    return {
      adapter: (options) => mysql2Adapter(pool, options),
      engine: mysql2Client(pool),
      ...raw(mysql2Client(pool)),
      client: pool,
      async transaction(fn) {
        const connection = await pool.getConnection();
        try {
          await connection.beginTransaction();
          const result = await fn(connection);
          await connection.commit();
          return result;
        } catch (error) {
          await connection.rollback();
          throw error;
        } finally {
          connection.release();
        }
      },
      close: () => pool.end(),
    };
  },
};

/** Every target this run can reach (MySQL ones only when MARIADB_URL is set). */
export function targets(): Target[] {
  const dialects: SqlDialect[] = hasMysql() ? ['postgresql', 'mysql', 'sqlite'] : ['postgresql', 'sqlite'];
  return [pgTarget, ...dialects.map(kyselyTarget), ...dialects.map(drizzleTarget), ...(hasMysql() ? [mysql2Target] : [])];
}
