/**
 * One worker process of the bench. argv: system-key url messages options-json.
 * Prints `{"ready":true}` once connected, waits for a line on stdin, drains the queue (no-op sends),
 * prints `{"done":…}` with its elapsed time, peak RSS and (where it claims itself) claim latencies,
 * then waits for stdin to close before it lets go of its connections (the parent reads the
 * server's CPU time in between).
 */
import { createInterface } from 'node:readline';
import { createQueue } from '@org/msgqueue';
import { prismaAdapter, prismaStatementNames } from '@org/msgqueue-prisma';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { Logger, run as runGraphile } from 'graphile-worker';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { LOOPS } from './systems.js';

const [key, url, messagesText, optionsJson] = process.argv.slice(2) as [string, string, string, string];
const total = Number(messagesText);
const options = JSON.parse(optionsJson) as Record<string, number>;
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const claimMs: number[] = [];

/** Runs `loops` copies of `loop` until each says it is done. */
const loops = (n: number, loop: () => Promise<void>) => Promise.all(Array.from({ length: n }, loop));

const TOKEN = () => Math.random().toString(36).slice(2).padEnd(22, '0').slice(0, 22);
const CLAIM = `WITH c AS MATERIALIZED (
    SELECT id FROM msgqueue_messages WHERE queue = 'default' AND status = 'PENDING' AND available_at <= now()
    ORDER BY priority, available_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
  UPDATE msgqueue_messages m SET status = 'PROCESSING', claim_token = $2, lease_until = now() + interval '10 minutes',
    attempts = m.attempts + 1, updated_at = now()
  FROM c WHERE m.id = c.id RETURNING m.id, m.payload`;
const GUARD = `UPDATE msgqueue_messages SET status = 'SENDING', updated_at = now()
  WHERE id = $1 AND claim_token = $2 AND status = 'PROCESSING' AND lease_until >= now() + interval '1 minute'`;
const ACK = `UPDATE msgqueue_messages SET status = 'SENT', claim_token = NULL, lease_until = NULL, updated_at = now()
  WHERE id = $1 AND claim_token = $2 AND status IN ('PROCESSING', 'SENDING')`;
const ACK_BATCH = `UPDATE msgqueue_messages SET status = 'SENT', claim_token = NULL, lease_until = NULL, updated_at = now()
  WHERE id = ANY($1) AND claim_token = $2 AND status IN ('PROCESSING', 'SENDING')`;

async function main(): Promise<void> {
  const prepare: (() => Promise<void>)[] = [];
  let work: () => Promise<void>;
  let closing: () => Promise<void> = async () => {};

  if (key.startsWith('raw-')) {
    const pool = new pg.Pool({ connectionString: url, max: LOOPS });
    closing = () => pool.end();
    const limit = options.limit!;
    work = () =>
      loops(LOOPS, async () => {
        for (;;) {
          const token = TOKEN();
          const t = performance.now();
          const { rows } = await pool.query({ name: `claim`, text: CLAIM, values: [limit, token] });
          claimMs.push(performance.now() - t);
          if (rows.length === 0) return;
          if (key.startsWith('raw-batch')) {
            await pool.query({ name: 'ack-batch', text: ACK_BATCH, values: [rows.map((r) => r.id), token] });
            continue;
          }
          for (const r of rows) await pool.query({ name: 'guard', text: GUARD, values: [r.id, token] });
          if (key.startsWith('raw-safe-acks'))
            await pool.query({ name: 'ack-batch', text: ACK_BATCH, values: [rows.map((r) => r.id), token] });
          else for (const r of rows) await pool.query({ name: 'ack', text: ACK, values: [r.id, token] });
        }
      }).then(() => {});
  } else if (key.startsWith('mq-')) {
    let adapter: ReturnType<typeof pgAdapter>;
    if (key.startsWith('mq-prisma')) {
      const { PrismaPg } = await import('@prisma/adapter-pg');
      const { PrismaClient } = await import('@org/msgqueue-test-support/generated/postgresql/client.js');
      const named = options.prepared ? { statementNameGenerator: prismaStatementNames } : undefined;
      const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: LOOPS }, named) });
      adapter = prismaAdapter(prisma as never, { dialect: 'postgresql', lockTable: false });
      closing = () => prisma.$disconnect();
    } else {
      const pool = new pg.Pool({ connectionString: url, max: LOOPS });
      adapter = pgAdapter(pool, { lockTable: false });
      closing = () => pool.end();
    }
    const queue = createQueue({ adapter, hooks: {} });
    prepare.push(async () => void (await queue.diagnose({ sampleSize: 0 }))); // first use: the schema read
    const limit = options.limit!;
    if (key.startsWith('mq-hand')) {
      work = () =>
        loops(LOOPS, async () => {
          for (;;) {
            const t = performance.now();
            const claim = await queue.claimBatch({ limit });
            claimMs.push(performance.now() - t);
            if (claim.messages.length === 0) return;
            for (const m of claim.messages) {
              if ((await queue.guardBeforeSend(m)).ok) await queue.ack(m);
            }
          }
        }).then(() => {});
    } else {
      work = () =>
        loops(LOOPS, async () => {
          for (;;) {
            const s = await queue.runOnce({
              overlap: 'allow',
              recycle: false,
              limit,
              concurrency: options.concurrency!,
              send: async () => {},
            });
            if (s.claimed === 0) return;
          }
        }).then(() => {});
    }
  } else if (key.startsWith('pgboss')) {
    const boss = new PgBoss({ connectionString: url, max: LOOPS + 2, supervise: false, schedule: false, migrate: false });
    boss.on('error', () => {});
    await boss.start();
    closing = () => boss.stop({ graceful: false });
    work = () =>
      new Promise<void>((resolve) => {
        let done = 0;
        void boss.work(
          'bench',
          { batchSize: options.batchSize!, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5, localConcurrency: LOOPS },
          async (jobs) => {
            done += jobs.length;
            if (done >= total) resolve();
          },
        );
      });
  } else if (key.startsWith('graphile')) {
    work = () =>
      new Promise<void>((resolve, reject) => {
        let done = 0;
        runGraphile({
          connectionString: url,
          concurrency: options.concurrency!,
          noHandleSignals: true,
          logger: new Logger(() => () => {}),
          crontab: '',
          pollInterval: 500,
          taskList: {
            noop: async () => {
              done++;
              if (done >= total) setImmediate(resolve);
            },
          },
          ...(options.localQueue ? { preset: { worker: { localQueue: { size: options.localQueue } } } } : {}),
        })
          .then((runner) => {
            closing = () => runner.stop();
          })
          .catch(reject);
      });
  } else if (key === 'client-pg') {
    const pool = new pg.Pool({ connectionString: url, max: LOOPS });
    closing = () => pool.end();
    work = async () => {
      for (let i = 0; i < 2000; i++) await pool.query('SELECT 1 AS one');
    };
  } else if (key === 'client-prisma') {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const { PrismaClient } = await import('@org/msgqueue-test-support/generated/postgresql/client.js');
    const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: LOOPS }) });
    closing = () => prisma.$disconnect();
    work = async () => {
      for (let i = 0; i < 2000; i++) await prisma.$queryRawUnsafe('SELECT 1 AS one');
    };
  } else {
    throw new Error(`unknown system ${key}`);
  }

  for (const p of prepare) await p();
  say({ ready: true });
  await lines.next();
  const t = performance.now();
  const cpu = process.cpuUsage();
  await work();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  say({ done: true, ms, rssMb: peakRss / 2 ** 20, cpuMs: (used.user + used.system) / 1000, claimMs });
  await lines.next(); // the parent read the server's CPU; let go
  clearInterval(sampler);
  await closing();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
