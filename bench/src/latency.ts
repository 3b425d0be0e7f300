/**
 * `pnpm bench --latency 200`: how long a message waits between `enqueue` and its `send` when a
 * worker (`queue.work`) is idle — with PostgreSQL's LISTEN/NOTIFY (`notify: true`) and without it
 * (the worker's poll, `idleMs` 1 s). The producer and the worker are two adapters over two pools (no
 * in-process wake-up crosses them: only the database can wake the worker); the producer enqueues one
 * message at a time, a pause between each, so the worker is asleep when each arrives.
 */
import { createQueue } from '@org/msgqueue';
import { schemaSql, splitStatements } from '@org/msgqueue-sql';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import pg from 'pg';
import { percentile } from './scale.js';

export interface LatencyResult {
  mode: 'notify' | 'poll';
  messages: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One mode: `n` messages, each enqueued after a pause, its enqueue-to-send time measured. */
async function measure(url: string, mode: LatencyResult['mode'], n: number): Promise<LatencyResult> {
  const notify = mode === 'notify';
  const workerPool = new pg.Pool({ connectionString: url, max: 3 });
  const producerPool = new pg.Pool({ connectionString: url, max: 1 });
  const worker = createQueue<{ at: number }>({ adapter: pgAdapter(workerPool, { notify }) });
  const producer = createQueue<{ at: number }>({ adapter: pgAdapter(producerPool, { notify }) });
  const waits: number[] = [];
  let arrived: () => void = () => {};
  const stop = new AbortController();
  const done = worker.work({
    signal: stop.signal,
    idleMs: 1000,
    send: async (m) => {
      waits.push(performance.timeOrigin + performance.now() - m.payload.at);
      arrived();
    },
  });
  await new Promise((r) => setTimeout(r, 500)); // listening, asleep
  for (let i = 0; i < n; i++) {
    const sent = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    await producer.enqueue({ at: performance.timeOrigin + performance.now() });
    await sent;
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 30)); // asleep again before the next
  }
  stop.abort();
  await done;
  await Promise.all([workerPool.end(), producerPool.end()]);
  return { mode, messages: n, p50Ms: percentile(waits, 50), p99Ms: percentile(waits, 99), maxMs: Math.max(...waits) };
}

/** Both modes on a fresh table in the database at `url`. */
export async function latency(url: string, n: number): Promise<LatencyResult[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (const s of splitStatements(schemaSql('postgresql'))) await c.query(s);
  await c.query('TRUNCATE msgqueue_messages, msgqueue_locks, msgqueue_gates');
  await c.end();
  return [await measure(url, 'notify', n), await measure(url, 'poll', Math.min(n, 30))];
}

/** What `notify` costs an enqueue: single-message enqueues a second, four producers at once, with and without it. */
export interface EnqueueCost {
  notify: boolean;
  /** Enqueues a second, one round of each. */
  rounds: number[];
}

/**
 * Four producers over one pool (its connections opened first) enqueue `perProducer` single messages each (one autocommit statement
 * apiece, as an app's request handlers do), with `notify` off and on, alternating over three rounds
 * so the machine's drift falls on both. PostgreSQL serialises the commits of notifying transactions,
 * which is the cost measured here.
 */
export async function enqueueCost(url: string, perProducer: number): Promise<EnqueueCost[]> {
  const results: EnqueueCost[] = [
    { notify: false, rounds: [] },
    { notify: true, rounds: [] },
  ];
  for (let round = 0; round < 3; round++) {
    for (const r of round % 2 === 0 ? results : [...results].reverse()) {
      const pool = new pg.Pool({ connectionString: url, max: 4 });
      const q = createQueue<{ n: number }>({ adapter: pgAdapter(pool, { notify: r.notify }) });
      // The schema read and the pool's connections, outside the timing.
      await Promise.all(Array.from({ length: 4 }, () => q.enqueue({ n: -1 })));
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 4 }, async (_, p) => {
          for (let i = 0; i < perProducer; i++) await q.enqueue({ n: p * perProducer + i });
        }),
      );
      r.rounds.push((4 * perProducer) / ((performance.now() - started) / 1000));
      await pool.end();
    }
  }
  return results;
}
