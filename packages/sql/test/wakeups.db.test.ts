/**
 * Workers on PostgreSQL wake on LISTEN/NOTIFY (the `notify` option): a worker asleep for an hour in
 * one "process" sends a message another enqueued — on its own, and inside a transaction of its own
 * at that transaction's commit. Two pools and two adapters stand for two processes (no in-process
 * wake-up crosses adapters). Elsewhere `notify` is refused: those databases have no LISTEN.
 */
import { createQueue, type Logger, MsgQueueError } from '@org/msgqueue';
import { sqlAdapter } from '@org/msgqueue-sql';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { postgresUrl } from '@org/msgqueue-test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDefaultTables } from './support/harness.js';
import { type Connection, targets } from './support/targets.js';

const HOUR = 3_600_000;
const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

describe('wake-ups on PostgreSQL', () => {
  let setup: Connection;
  const pools: pg.Pool[] = [];
  const pool = () => {
    const p = new pg.Pool({ connectionString: postgresUrl(), max: 3 });
    pools.push(p);
    return p;
  };
  beforeAll(async () => {
    setup = await targets()
      .find((t) => t.name === 'pg:postgresql')!
      .open(1);
    await freshDefaultTables(setup, 'postgresql');
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await setup.close();
  });

  it('a worker asleep for an hour sends what another process enqueues, alone or at its transaction’s commit', async () => {
    let listening = false;
    const logger: Logger = {
      debug: () => {},
      info: (o) => {
        if ((o as { listening?: boolean }).listening) listening = true;
      },
      warn: () => {},
      error: () => {},
    };
    const worker = createQueue<number>({ adapter: pgAdapter(pool(), { notify: true }), logger });
    const producerPool = pool();
    const producer = createQueue<number>({ adapter: pgAdapter(producerPool, { notify: true }) });
    const sent: number[] = [];
    const stop = new AbortController();
    const done = worker.work({ signal: stop.signal, idleMs: HOUR, send: async (m) => void sent.push(m.payload) });
    await until(() => listening);
    await producer.enqueue(1);
    await until(() => sent.length === 1);

    const client = await producerPool.connect();
    await client.query('BEGIN');
    await producer.enqueue(2, { transaction: client });
    await producer.enqueue(3, { transaction: client });
    await client.query('COMMIT');
    client.release();
    await until(() => sent.length === 3);
    stop.abort();
    expect(await done).toMatchObject({ sent: 3, storageErrors: 0 });
    expect(sent.sort()).toEqual([1, 2, 3]);
  });

  it('refuses notify where the database has no LISTEN, and a notify that is not a boolean', () => {
    const client = { query: async () => [], execute: async () => 0, transaction: async () => undefined as never };
    const refused = (options: object) => {
      try {
        sqlAdapter(client, options as never);
      } catch (error) {
        return MsgQueueError.isInstance(error) ? `${error.code} ${error.field}` : String(error);
      }
      return 'accepted';
    };
    expect(refused({ dialect: 'mysql', notify: true })).toBe('INVALID_ARGUMENT options.notify');
    expect(refused({ dialect: 'postgresql', notify: 'yes' })).toBe('INVALID_ARGUMENT options.notify');
    expect(refused({ dialect: 'sqlite', notify: false })).toBe('accepted');
  });
});
