/**
 * What each system's worker does once the clock starts: drain the queue with no-op sends. Each
 * returns the work (started on the signal) and how to let go after it; anything slow to start —
 * connections, a runner, the schema read — happens before, in `prepare`.
 */
import { createQueue, type Queue } from '@org/msgqueue';
import { prismaAdapter, prismaStatementNames } from '@org/msgqueue-prisma';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { Logger, run as runGraphile } from 'graphile-worker';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { GRAPHILE_HOLD } from './fill.js';
import { openMysql, openSqlite } from './other-databases.js';
import { LOOPS } from './systems.js';

/** A system ready to go: `work` drains, `closing` lets go of its connections. */
export interface Drain {
  work(): Promise<void>;
  closing(): Promise<void>;
}

/** Per-claim latencies (ms) where the worker claims itself. */
export const claimMs: number[] = [];

/**
 * What this process has done, for the process-count curve: messages its peers' handlers took, and
 * when the last one ended (epoch ms, comparable across processes on one machine).
 */
export const progress = { count: 0, lastAt: 0 };

/** Loops (and connections) of this process: `options.loops`, else {@link LOOPS}. */
let LOOPS_HERE = LOOPS;

/** Runs `n` copies of `loop` until each says it is done. */
const loops = (n: number, loop: () => Promise<void>) => Promise.all(Array.from({ length: n }, loop)).then(() => {});

const TOKEN = () => Math.random().toString(36).slice(2).padEnd(22, '0').slice(0, 22);

/** The raw statements: the same rows and columns msgqueue's own table has. */
export const RAW_PG = {
  claim: `WITH c AS MATERIALIZED (
    SELECT id FROM msgqueue_messages WHERE queue = 'default' AND status = 'PENDING' AND available_at <= now()
    ORDER BY priority, available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
  UPDATE msgqueue_messages m SET status = 'PROCESSING', claim_token = $2, lease_until = now() + interval '10 minutes',
    attempts = m.attempts + 1, updated_at = now()
  FROM c WHERE m.id = c.id RETURNING m.id, m.payload`,
  guard: `UPDATE msgqueue_messages SET status = 'SENDING', updated_at = now()
  WHERE id = $1 AND claim_token = $2 AND status = 'PROCESSING' AND lease_until >= now() + interval '1 minute'`,
  ack: `UPDATE msgqueue_messages SET status = 'SENT', claim_token = NULL, lease_until = NULL, updated_at = now()
  WHERE id = $1 AND claim_token = $2 AND status IN ('PROCESSING', 'SENDING')`,
  ackBatch: `UPDATE msgqueue_messages SET status = 'SENT', claim_token = NULL, lease_until = NULL, updated_at = now()
  WHERE id = ANY($1) AND claim_token = $2 AND status IN ('PROCESSING', 'SENDING')`,
};

/** runOnce in this process's loops until a tick claims nothing. */
function ticks(queue: Queue, limit: number, concurrency: number): () => Promise<void> {
  return () =>
    loops(LOOPS_HERE, async () => {
      for (;;) {
        const s = await queue.runOnce({ overlap: 'allow', recycle: false, limit, concurrency, send: async () => {} });
        if (s.claimed === 0) return;
        progress.count += s.sent;
        progress.lastAt = Date.now();
      }
    });
}

/**
 * `options.loops` sets the loops and connections of this process (the curve runs many small
 * processes); `options.curve` makes the peers' workers run until stopped (no process knows its
 * share of the queue), counting what they handled in {@link progress}.
 */
export async function prepare(key: string, url: string, total: number, options: Record<string, number>): Promise<Drain> {
  const limit = options.limit!;
  LOOPS_HERE = options.loops ?? LOOPS;
  const open = options.curve ? Number.POSITIVE_INFINITY : total;
  if (key.startsWith('raw-batch') || key.startsWith('raw-safe')) {
    const pool = new pg.Pool({ connectionString: url, max: LOOPS_HERE });
    const work = () =>
      loops(LOOPS_HERE, async () => {
        for (;;) {
          const token = TOKEN();
          const t = performance.now();
          const { rows } = await pool.query({ name: 'claim', text: RAW_PG.claim, values: [limit, token] });
          claimMs.push(performance.now() - t);
          if (rows.length === 0) return;
          if (key.startsWith('raw-batch')) {
            await pool.query({ name: 'ack-batch', text: RAW_PG.ackBatch, values: [rows.map((r) => r.id), token] });
            progress.count += rows.length;
            progress.lastAt = Date.now();
            continue;
          }
          for (const r of rows) await pool.query({ name: 'guard', text: RAW_PG.guard, values: [r.id, token] });
          for (const r of rows) await pool.query({ name: 'ack', text: RAW_PG.ack, values: [r.id, token] });
        }
      });
    return { work, closing: () => pool.end() };
  }
  if (key.startsWith('mq-prisma') || key.startsWith('mq-tick') || key.startsWith('mq-hand')) {
    let adapter: ReturnType<typeof pgAdapter>;
    let closing: () => Promise<void>;
    if (key.startsWith('mq-prisma')) {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      const { PrismaClient } = await import('@org/msgqueue-test-support/generated/postgresql/client.js');
      const named = options.prepared ? { statementNameGenerator: prismaStatementNames } : undefined;
      const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: LOOPS_HERE }, named) });
      adapter = prismaAdapter(prisma as never, { dialect: 'postgresql', lockTable: false });
      closing = () => prisma.$disconnect();
    } else {
      const pool = new pg.Pool({ connectionString: url, max: LOOPS_HERE });
      adapter = pgAdapter(pool, { lockTable: false });
      closing = () => pool.end();
    }
    const queue = createQueue({ adapter, hooks: {} });
    await queue.diagnose({ sampleSize: 0 }); // first use: the schema read
    if (!key.startsWith('mq-hand')) return { work: ticks(queue, limit, options.concurrency!), closing };
    const work = () =>
      loops(LOOPS_HERE, async () => {
        for (;;) {
          const t = performance.now();
          const claim = await queue.claimBatch({ limit });
          claimMs.push(performance.now() - t);
          if (claim.messages.length === 0) return;
          for (const m of claim.messages) {
            if ((await queue.guardBeforeSend(m)).ok) await queue.ack(m);
          }
        }
      });
    return { work, closing };
  }
  if (key.startsWith('pgboss')) {
    const boss = new PgBoss({ connectionString: url, max: LOOPS_HERE + 2, supervise: false, schedule: false, migrate: false });
    boss.on('error', () => {});
    await boss.start();
    const work = () =>
      new Promise<void>((resolve) => {
        let done = 0;
        void boss.work(
          'bench',
          { batchSize: options.batchSize!, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5, localConcurrency: LOOPS_HERE },
          async (jobs) => {
            done += jobs.length;
            progress.count += jobs.length;
            progress.lastAt = Date.now();
            if (done >= open) resolve();
          },
        );
      });
    return { work, closing: () => boss.stop({ graceful: false }) };
  }
  if (key.startsWith('graphile')) return prepareGraphile(url, open, options);
  if (key === 'raw-mysql-10' || key === 'mq-mysql-10') {
    const db = await openMysql(url, LOOPS_HERE);
    const queue = createQueue({ adapter: db.adapter, hooks: {} });
    await queue.diagnose({ sampleSize: 0 });
    if (key.startsWith('mq-')) return { work: ticks(queue, limit, options.concurrency!), closing: db.close };
    const work = () =>
      loops(LOOPS_HERE, async () => {
        for (;;) {
          const token = TOKEN();
          const t = performance.now();
          const c = await db.pool.getConnection();
          let ids: string[];
          try {
            await c.query('BEGIN');
            const [picked] = await c.execute(
              `SELECT id FROM msgqueue_messages WHERE queue = 'default' AND status = 'PENDING' AND available_at <= UTC_TIMESTAMP(3)
               ORDER BY priority, available_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED`,
            );
            ids = (picked as { id: string }[]).map((r) => r.id);
            if (ids.length > 0) {
              const list = ids.map(() => '?').join(', ');
              await c.execute(
                `UPDATE msgqueue_messages SET status = 'PROCESSING', claim_token = ?, lease_until = UTC_TIMESTAMP(3) + INTERVAL 10 MINUTE,
                 attempts = attempts + 1, updated_at = UTC_TIMESTAMP(3) WHERE id IN (${list}) AND status = 'PENDING'`,
                [token, ...ids],
              );
              await c.execute(`SELECT id, payload FROM msgqueue_messages WHERE id IN (${list}) AND claim_token = ?`, [...ids, token]);
            }
            await c.query('COMMIT');
          } finally {
            c.release();
          }
          claimMs.push(performance.now() - t);
          if (ids.length === 0) return;
          await db.pool.execute(
            `UPDATE msgqueue_messages SET status = 'SENT', claim_token = NULL, lease_until = NULL, updated_at = UTC_TIMESTAMP(3)
             WHERE id IN (${ids.map(() => '?').join(', ')}) AND claim_token = ? AND status IN ('PROCESSING', 'SENDING')`,
            [...ids, token],
          );
        }
      });
    return { work, closing: db.close };
  }
  if (key === 'raw-sqlite-10' || key === 'mq-sqlite-10') {
    const db = await openSqlite(url);
    const queue = createQueue({ adapter: db.adapter, hooks: {} });
    await queue.diagnose({ sampleSize: 0 });
    if (key.startsWith('mq-')) return { work: ticks(queue, limit, options.concurrency!), closing: db.close };
    // The engine's own time format for this column (ISO text), so the raw comparisons match its rows.
    const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
    const claim = db.db.prepare(
      `UPDATE msgqueue_messages SET status = 'PROCESSING', claim_token = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
       WHERE id IN (SELECT id FROM msgqueue_messages WHERE queue = 'default' AND status = 'PENDING' AND available_at <= ?
                    ORDER BY priority, available_at, id LIMIT ?)
       RETURNING id, payload`,
    );
    const ack = db.db.prepare(
      `UPDATE msgqueue_messages SET status = 'SENT', claim_token = NULL, lease_until = NULL, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?)) AND claim_token = ? AND status IN ('PROCESSING', 'SENDING')`,
    );
    const work = async () => {
      for (;;) {
        const token = TOKEN();
        const now = Date.now();
        const t = performance.now();
        const rows = claim.all(token, iso(now + 600_000), iso(now), iso(now), limit) as { id: string }[];
        claimMs.push(performance.now() - t);
        if (rows.length === 0) return;
        ack.run(iso(Date.now()), JSON.stringify(rows.map((r) => r.id)), token);
        await Promise.resolve(); // a send's await, as the library's loop has
      }
    };
    return { work, closing: db.close };
  }
  if (key === 'client-pg') {
    const pool = new pg.Pool({ connectionString: url, max: LOOPS_HERE });
    const work = async () => {
      for (let i = 0; i < 2000; i++) await pool.query('SELECT 1 AS one');
    };
    return { work, closing: () => pool.end() };
  }
  if (key === 'client-prisma') {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const { PrismaClient } = await import('@org/msgqueue-test-support/generated/postgresql/client.js');
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: LOOPS_HERE }) });
    const work = async () => {
      for (let i = 0; i < 2000; i++) await prisma.$queryRawUnsafe('SELECT 1 AS one');
    };
    return { work, closing: () => prisma.$disconnect() };
  }
  throw new Error(`unknown system ${key}`);
}

/**
 * graphile-worker at its fastest documented settings, started and polling before the clock: its
 * jobs carry a flag the runner forbids until the start, when the flag is lifted and the runner
 * nudged (a `jobs:insert` notification, as graphile-worker's own addJob sends).
 */
async function prepareGraphile(url: string, total: number, options: Record<string, number>): Promise<Drain> {
  let held = true;
  let done = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const runner = await runGraphile({
    connectionString: url,
    concurrency: options.concurrency!,
    noHandleSignals: true,
    logger: new Logger(() => () => {}),
    crontab: '',
    pollInterval: 500,
    forbiddenFlags: () => (held ? [GRAPHILE_HOLD] : null),
    taskList: {
      noop: async () => {
        done++;
        progress.count++;
        progress.lastAt = Date.now();
        if (done >= total) setImmediate(finish);
      },
    },
    ...(options.loops ? { maxPoolSize: options.loops + 1 } : {}),
    preset: {
      worker: {
        completeJobBatchDelay: 0,
        ...(options.localQueue ? { localQueue: { size: options.localQueue } } : {}),
      },
    },
  });
  const notifier = new pg.Client({ connectionString: url });
  await notifier.connect();
  const work = async () => {
    held = false;
    await notifier.query(`NOTIFY "jobs:insert", '{"count":${options.concurrency}}'`);
    await finished;
  };
  const closing = async () => {
    await notifier.end();
    await runner.stop();
  };
  return { work, closing };
}
