import type { StorageAdapter } from '@org/msgqueue';
import { type Row, type SqlAdapterOptions, type SqlClient, sqlAdapter } from '@org/msgqueue-sql';
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';

/** mysql2 (a promise Pool or a connection) as the engine's SqlClient. */
export function mysql2Client(db: Pool | PoolConnection): SqlClient {
  const run = async (text: string, values: readonly unknown[]) => (await db.query(text, [...values] as never[]))[0];
  return {
    query: async ({ text, values }) => (await run(text, values)) as Row[],
    execute: async ({ text, values }) => ((await run(text, values)) as ResultSetHeader).affectedRows,
    async transaction(fn) {
      const connection = 'getConnection' in db ? await db.getConnection() : db;
      try {
        await connection.beginTransaction();
        const result = await fn(mysql2Client(connection));
        await connection.commit();
        return result;
      } catch (error) {
        await connection.rollback();
        throw error;
      } finally {
        if (connection !== db) connection.release();
      }
    },
  };
}

/** A storage adapter over mysql2; `transaction` is a connection after beginTransaction(). */
export function mysql2Adapter(db: Pool | PoolConnection, options: Omit<SqlAdapterOptions, 'dialect'> = {}): StorageAdapter {
  return sqlAdapter(
    mysql2Client(db),
    { ...options, dialect: 'mysql' },
    { name: 'mysql2', fromTransaction: (tx) => mysql2Client(tx as PoolConnection) },
  );
}
