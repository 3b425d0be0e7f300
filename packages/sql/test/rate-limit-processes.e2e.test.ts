/**
 * The acceptance of rate limits across processes: four worker processes drain one PostgreSQL queue
 * against a provider (an HTTP server here) that logs when each message arrives. With `{ max: 20,
 * perMs: 1000 }` for the queue, no window of one second — sliding, not only the calendar seconds of
 * the histogram printed — sees more than 20 arrivals; with 1 a second per recipient, no recipient
 * gets two within a second while the others are sent as fast as the workers go. The limits are
 * read on the provider's clock (the machine's, as the database's), never as a duration the test
 * expects.
 */
import type { ChildProcess } from 'node:child_process';
import { createQueue } from '@org/msgqueue';
import { mostWithin, postgresUrl, spawnTs } from '@org/msgqueue-test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAdapter } from '../src/pg.js';
import { freshDefaultTables } from './support/harness.js';
import { startProvider, type TestProvider } from './support/provider.js';
import { type Connection, targets } from './support/targets.js';

interface Arrival {
  at: number;
  to: string;
  id: string;
}

/** Arrivals per calendar second from the first, as `second: count` lines. */
function histogram(times: readonly number[]): string {
  const first = Math.min(...times);
  const buckets = new Map<number, number>();
  for (const t of times) {
    const s = Math.floor((t - first) / 1000);
    buckets.set(s, (buckets.get(s) ?? 0) + 1);
  }
  return [...buckets]
    .sort((a, b) => a[0] - b[0])
    .map(([s, n]) => `${String(s).padStart(3)} s: ${String(n).padStart(3)} ${'#'.repeat(n)}`)
    .join('\n');
}

describe('rate limits across four processes (PostgreSQL)', () => {
  let setup: Connection;
  let provider: TestProvider;
  const arrivals: Arrival[] = [];
  const pool = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
  const queue = createQueue<{ to: string; n: number }>({ adapter: pgAdapter(pool) });

  beforeAll(async () => {
    setup = await targets()
      .find((t) => t.name === 'pg:postgresql')!
      .open(1);
    await freshDefaultTables(setup, 'postgresql');
    provider = await startProvider((body) => {
      const { id, to } = body as { id: string; to: string };
      arrivals.push({ at: Date.now(), to, id }); // the machine's clock, as the database's now()
    });
  });
  afterAll(async () => {
    await provider.close();
    await pool.end();
    await setup.close();
  });

  /** Run four workers until `done`, then stop them (closing their standard input) and read their summaries. */
  async function drain(limit: 'queue' | 'key', done: () => Promise<boolean>): Promise<{ sent: number; throttled: number }[]> {
    const workers: ChildProcess[] = Array.from({ length: 4 }, () =>
      spawnTs(new URL('./support/rate-worker.ts', import.meta.url), [postgresUrl(), provider.url, limit], {
        cwd: new URL('..', import.meta.url).pathname,
        stdin: 'pipe',
      }),
    );
    const outputs = workers.map(
      (w) =>
        new Promise<string>((resolve, reject) => {
          let out = '';
          let err = '';
          w.stdout!.on('data', (c) => (out += c));
          w.stderr!.on('data', (c) => (err += c));
          w.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`worker exited ${code}: ${err.slice(-2000)}`))));
        }),
    );
    while (!(await done())) await new Promise((r) => setTimeout(r, 100));
    for (const w of workers) w.stdin!.end();
    return (await Promise.all(outputs)).map(
      (out) => (JSON.parse(out.trim().split('\n').pop()!) as { summary: { sent: number; throttled: number } }).summary,
    );
  }

  const sentAll = (n: number) => async () => (await queue.diagnose({ sampleSize: 0 })).counts.SENT >= n;

  it('{ max: 20, perMs: 1000 } for the queue: no second sees more than 20 arrivals, whatever process sent them', async () => {
    arrivals.length = 0;
    const total = 200;
    await queue.enqueueMany(
      Array.from({ length: total }, (_, n) => ({ payload: { to: `+3360000${String(n % 50).padStart(4, '0')}`, n } })),
    );
    const summaries = await drain('queue', sentAll(total));
    const times = arrivals.map((a) => a.at);
    console.log(`queue limit 20/s, 4 processes, ${total} messages — arrivals per second:\n${histogram(times)}`);
    console.log(`most in any sliding second: ${mostWithin(times, 1000)}; sent per process: ${summaries.map((s) => s.sent).join(', ')}`);
    expect(new Set(arrivals.map((a) => a.id)).size).toBe(total);
    expect(mostWithin(times, 1000)).toBeLessThanOrEqual(20);
    expect(summaries.filter((s) => s.sent > 0).length).toBeGreaterThan(1); // shared between processes, not one draining alone
    expect((await queue.diagnose({ sampleSize: 0 })).counts).toMatchObject({ SENT: total, PENDING: 0, PROCESSING: 0, SENDING: 0 });
  }, 120_000);

  it('1 a second per recipient: no recipient gets two within a second, the other recipients are not held back', async () => {
    arrivals.length = 0;
    await setup.exec('DELETE FROM msgqueue_messages');
    const hot = ['+33611111111', '+33622222222', '+33633333333'];
    const cold = Array.from({ length: 60 }, (_, n) => `+3367${String(n).padStart(7, '0')}`);
    await queue.enqueueMany([
      ...hot.flatMap((to) => [1, 2, 3, 4].map((n) => ({ payload: { to, n } }))),
      ...cold.map((to) => ({ payload: { to, n: 1 } })),
    ]);
    const total = hot.length * 4 + cold.length;
    const summaries = await drain('key', sentAll(total));
    const first = Math.min(...arrivals.map((a) => a.at));
    for (const to of hot) {
      const times = arrivals.filter((a) => a.to === to).map((a) => a.at);
      console.log(`${to}: arrivals at ${times.map((t) => `${t - first} ms`).join(', ')}`);
      expect(times).toHaveLength(4);
      expect(mostWithin(times, 1000)).toBe(1);
    }
    const coldTimes = arrivals.filter((a) => !hot.includes(a.to)).map((a) => a.at - first);
    console.log(
      `the ${cold.length} other recipients: all sent within ${Math.max(...coldTimes)} ms; throttled per process: ${summaries.map((s) => s.throttled).join(', ')}`,
    );
    expect(new Set(arrivals.map((a) => a.id)).size).toBe(total);
    expect((await queue.diagnose({ sampleSize: 0 })).counts).toMatchObject({ SENT: total, FAILED: 0 });
  }, 120_000);
});
