/**
 * Enqueue inside the caller's transaction, beyond the conformance suite (which proves commit and
 * rollback on every client and database): the schema is read once, not per call, and a wrong
 * transaction object is refused, naming what to pass.
 */
import { createQueue, MsgQueueError } from '@org/msgqueue';
import { kyselyAdapter } from '@org/msgqueue-sql/kysely';
import { type PgQueryable, pgAdapter } from '@org/msgqueue-sql/pg';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgPool } from './support/drivers.js';
import { freshDefaultTables } from './support/harness.js';
import { type Connection, targets } from './support/targets.js';

describe('enqueue inside a pg transaction', () => {
  let pool: pg.Pool;
  let c: Connection;
  beforeAll(async () => {
    pool = pgPool(4);
    c = await targets()[0]!.open();
    await freshDefaultTables(c, 'postgresql');
  });
  afterAll(async () => {
    await pool.end();
    await c.close();
  });

  it('reads the schema once, on first use, not per call', async () => {
    let reads = 0;
    const counting = (q: PgQueryable): PgQueryable => ({
      query: (textOrConfig, values) => {
        const text = typeof textOrConfig === 'string' ? textOrConfig : textOrConfig.text;
        if (/information_schema|pg_enum|EXTRACT\(TIMEZONE/.test(text)) reads++;
        return q.query(textOrConfig, values);
      },
    });
    const queue = createQueue({ adapter: pgAdapter(counting(pool)) });
    const inTransaction = async (n: number) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await queue.enqueue({ n }, { transaction: counting(client) });
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    };
    await inTransaction(1);
    const firstUse = reads;
    expect(firstUse).toBeGreaterThan(0);
    await inTransaction(2);
    await inTransaction(3);
    await queue.enqueue({ n: 4 });
    await queue.diagnose();
    expect(reads).toBe(firstUse);
    expect((await queue.claimBatch({ limit: 10 })).messages).toHaveLength(4);
  });

  it('refuses a pool as the transaction (its statements would run on any connection)', async () => {
    const queue = createQueue({ adapter: pgAdapter(pool) });
    const error = await queue.enqueue({}, { transaction: pool }).catch((e: unknown) => e);
    expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(/the pg client you ran BEGIN on/);
  });

  it('refuses a Kysely instance that is not a transaction', async () => {
    // biome-ignore lint/suspicious/noExplicitAny: raw SQL needs no schema type.
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: pgPool(1) }) });
    try {
      const queue = createQueue({ adapter: kyselyAdapter(db, { dialect: 'postgresql' }) });
      const error = await queue.enqueue({}, { transaction: db }).catch((e: unknown) => e);
      expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(/Kysely Transaction/);
    } finally {
      await db.destroy();
    }
  });
});
