/**
 * Enqueue inside the caller's transaction, beyond the conformance suite (which proves commit and
 * rollback, and refuses an ended transaction and the client itself, on every client and database):
 * the schema is read once, not per call; a wrong transaction object is refused, naming what to pass;
 * a connection in autocommit, a transaction on another database and Drizzle's synchronous
 * better-sqlite3 transactions are refused before anything is written; sqliteTransaction works.
 */
import { createQueue, MsgQueueError, type Queue } from '@org/msgqueue';
import { type Statement, schemaSql, splitStatements, sqlAdapter } from '@org/msgqueue-sql';
import { drizzleAdapter, sqliteTransaction } from '@org/msgqueue-sql/drizzle';
import { kyselyAdapter } from '@org/msgqueue-sql/kysely';
import { type PgQueryable, pgAdapter } from '@org/msgqueue-sql/pg';
import { postgresUrl } from '@org/msgqueue-test-support';
import type Database from 'better-sqlite3';
import { sql as drizzleSql } from 'drizzle-orm';
import { drizzle as drizzleSqlite } from 'drizzle-orm/better-sqlite3';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import type { PoolConnection } from 'mysql2/promise';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mysql2Client } from './examples/mysql2-adapter.js';
import { hasMysql, mysqlPool, pgPool, sqliteDatabase } from './support/drivers.js';
import { freshDefaultTables } from './support/harness.js';
import { type Connection, targets } from './support/targets.js';

/** A promise and the function that settles it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('enqueue inside a pg transaction, and inside what is not one', () => {
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
  beforeEach(async () => {
    await c.exec('DELETE FROM msgqueue_messages');
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

  it('refuses a pg client in autocommit (no BEGIN ran), writing nothing', async () => {
    const queue = createQueue({ adapter: pgAdapter(pool) });
    const client = await pool.connect();
    try {
      const error = await queue.enqueue({}, { transaction: client }).catch((e: unknown) => e);
      expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/not inside an open transaction/);
    } finally {
      client.release();
    }
    expect((await queue.diagnose()).total).toBe(0);
  });

  it('refuses a Drizzle database over a pool as the transaction: the insert would commit on another connection', async () => {
    const db = drizzlePg(pool);
    const queue = createQueue({ adapter: drizzleAdapter(db, { dialect: 'postgresql' }) });
    const error = await db
      .transaction(async () => {
        await queue.enqueue({ n: 1 }, { transaction: db });
      })
      .catch((e: unknown) => e);
    expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/not the database/);
    expect((await queue.diagnose()).total).toBe(0);
  });

  it("refuses a transaction on another database than the queue's, once the queue has read its own", async () => {
    const other = `${(await c.rows('SELECT current_database() AS d'))[0]!.d}_other`;
    await c.exec(`DROP DATABASE IF EXISTS "${other}"`);
    await c.exec(`CREATE DATABASE "${other}"`);
    const url = new URL(postgresUrl());
    url.pathname = `/${other}`;
    const elsewhere = new pg.Client({ connectionString: url.toString() });
    await elsewhere.connect();
    try {
      for (const statement of splitStatements(schemaSql('postgresql'))) await elsewhere.query(statement);
      const queue = createQueue({ adapter: pgAdapter(pool) });
      await queue.diagnose(); // the adapter knows its database from here on
      await elsewhere.query('BEGIN');
      const error = await queue.enqueue({ n: 1 }, { transaction: elsewhere }).catch((e: unknown) => e);
      await elsewhere.query('COMMIT');
      expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/another database/);
      expect((await elsewhere.query('SELECT count(*)::int AS n FROM msgqueue_messages')).rows[0].n).toBe(0);
      expect((await queue.diagnose()).total).toBe(0);
    } finally {
      await elsewhere.end();
      await c.exec(`DROP DATABASE IF EXISTS "${other}" WITH (FORCE)`);
    }
  });
});

describe('enqueue inside a MySQL transaction, where @@in_transaction does not exist (MySQL 8)', () => {
  it.runIf(hasMysql())('tells an open transaction from autocommit with a savepoint', async () => {
    const pool = mysqlPool(2)!;
    const asMysql8 = (connection: PoolConnection) => {
      const client = mysql2Client(connection);
      const refuse = (text: string) => {
        if (/@@in_transaction/.test(text)) throw Object.assign(new Error("Unknown system variable 'in_transaction'"), { errno: 1193 });
      };
      return {
        query: async (s: Statement) => {
          refuse(s.text);
          return client.query(s);
        },
        execute: async (s: Statement) => {
          refuse(s.text);
          return client.execute(s);
        },
        transaction: client.transaction,
      };
    };
    const c = await targets()
      .find((t) => t.dialect === 'mysql')!
      .open(1);
    await freshDefaultTables(c, 'mysql');
    const queue = createQueue({
      adapter: sqlAdapter(mysql2Client(pool), { dialect: 'mysql' }, { fromTransaction: (tx) => asMysql8(tx as PoolConnection) }),
    });
    const connection = await pool.getConnection();
    try {
      const refused = await queue.enqueue({ n: 1 }, { transaction: connection }).catch((e: unknown) => e);
      expect(MsgQueueError.isInstance(refused, 'INVALID_ARGUMENT'), String(refused)).toBe(true);
      await connection.beginTransaction();
      await queue.enqueue({ n: 2 }, { transaction: connection });
      await connection.rollback();
      await connection.beginTransaction();
      const kept = await queue.enqueue({ n: 3 }, { transaction: connection });
      await connection.commit();
      expect((await queue.claimBatch({ limit: 10 })).messages.map((m) => m.id)).toEqual([kept.id]);
    } finally {
      connection.release();
      await pool.end();
      await c.close();
    }
  });
});

describe('enqueue inside a Drizzle transaction on better-sqlite3 (synchronous transactions)', () => {
  let sqlite: Database.Database;
  let db: ReturnType<typeof drizzleSqlite>;
  let queue: Queue<{ order: number }>;
  const count = (table: string) => (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  beforeEach(async () => {
    sqlite = sqliteDatabase(`drizzle-sync-${Math.random().toString(36).slice(2)}`);
    for (const statement of splitStatements(schemaSql('sqlite'))) sqlite.exec(statement);
    sqlite.exec('CREATE TABLE orders (id INTEGER PRIMARY KEY)');
    db = drizzleSqlite(sqlite);
    queue = createQueue({ adapter: drizzleAdapter(db, { dialect: 'sqlite' }) });
    await queue.diagnose();
  });
  afterEach(() => sqlite.close());

  it('db.transaction(async (tx) => …) as Drizzle documents it: refused with a typed error, neither the order nor the message stays', async () => {
    let inner: Promise<unknown> | undefined;
    const work = async (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) => {
      tx.run(drizzleSql`INSERT INTO orders (id) VALUES (1)`);
      await queue.enqueue({ order: 1 }, { transaction: tx });
    };
    // better-sqlite3 throws its own TypeError at the returned promise and rolls back; the promise is ours to read.
    expect(() =>
      db.transaction((tx) => {
        inner = work(tx);
        return inner as never;
      }),
    ).toThrow(/cannot return a promise/);
    const error = await inner!.catch((e: unknown) => e);
    expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
    expect((error as Error).message).toMatch(/sqliteTransaction/);
    expect([count('orders'), count('msgqueue_messages')]).toEqual([0, 0]);
  });

  it('a synchronous callback that throws after enqueueing: neither the order nor the message stays', async () => {
    let pending: Promise<unknown> | undefined;
    expect(() =>
      db.transaction((tx) => {
        tx.run(drizzleSql`INSERT INTO orders (id) VALUES (1)`);
        pending = queue.enqueue({ order: 1 }, { transaction: tx }).catch((e: unknown) => e);
        throw new Error('the business write failed');
      }),
    ).toThrow(/business write failed/);
    expect(MsgQueueError.isInstance(await pending, 'INVALID_ARGUMENT')).toBe(true);
    expect([count('orders'), count('msgqueue_messages')]).toEqual([0, 0]);
  });

  it('sqliteTransaction: the message commits and rolls back with the order', async () => {
    await sqliteTransaction(db, async (tx) => {
      await tx.run(drizzleSql`INSERT INTO orders (id) VALUES (1)`);
      await queue.enqueue({ order: 1 }, { transaction: tx });
    });
    await expect(
      sqliteTransaction(db, async (tx) => {
        await tx.run(drizzleSql`INSERT INTO orders (id) VALUES (2)`);
        await queue.enqueueMany([{ payload: { order: 2 } }], { transaction: tx });
        throw new Error('the business write failed');
      }),
    ).rejects.toThrow(/business write failed/);
    expect([count('orders'), count('msgqueue_messages')]).toEqual([1, 1]);
    expect((await queue.claimBatch()).messages.map((m) => m.payload.order)).toEqual([1]);
  });

  it("sqliteTransaction: the queue's own statements wait for it to end instead of landing inside it", async () => {
    await queue.enqueue({ order: 0 });
    const open = latch();
    const inside = latch();
    const business = sqliteTransaction(db, async (tx) => {
      await queue.enqueue({ order: 1 }, { transaction: tx });
      inside.open();
      await open.promise;
      throw new Error('the business write failed');
    }).catch((e: unknown) => e);
    await inside.promise;
    let claimed = false;
    const claim = queue.claimBatch({ limit: 10 }).finally(() => {
      claimed = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(claimed).toBe(false); // still waiting: the transaction is open
    open.open();
    expect(await business).toBeInstanceOf(Error);
    // The claim ran after the rollback: it holds the committed message only, and was not undone.
    expect((await claim).messages.map((m) => m.payload.order)).toEqual([0]);
    expect((await queue.diagnose()).counts.PROCESSING).toBe(1);
  });

  it('sqliteTransaction refuses a nested call and what is not a better-sqlite3 Drizzle database', async () => {
    await expect(sqliteTransaction({} as never, async () => {})).rejects.toSatisfy((e: unknown) =>
      MsgQueueError.isInstance(e, 'INVALID_ARGUMENT'),
    );
    await expect(sqliteTransaction(db, (tx) => sqliteTransaction(tx, async () => {}))).rejects.toSatisfy((e: unknown) =>
      MsgQueueError.isInstance(e, 'INVALID_ARGUMENT'),
    );
    expect(sqlite.inTransaction).toBe(false);
  });
});
