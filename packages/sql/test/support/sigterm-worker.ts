/**
 * A worker process for the SIGTERM test: `queue.work` over the default table through its own pg
 * pool (one claim of 5, sends one at a time), posting each message to the test's provider; on
 * SIGTERM it aborts the worker's signal — as an app's shutdown hook does — waits for it to resolve,
 * prints its summary as one JSON line and exits 0.
 * argv: url provider-url
 */
import { createQueue } from '@org/msgqueue';
import pg from 'pg';
import { pgAdapter } from '../../src/pg.js';

const [url, provider] = process.argv.slice(2) as [string, string];
const pool = new pg.Pool({ connectionString: url, max: 2 });
const queue = createQueue<{ n: number }>({ adapter: pgAdapter(pool), batchSize: 5 });
const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
const summary = await queue.work({
  signal: stop.signal,
  idleMs: 50,
  concurrency: 1,
  send: async (m) => {
    const res = await fetch(provider, { method: 'POST', body: JSON.stringify({ id: m.id, n: m.payload.n }) });
    if (!res.ok) throw new Error(`provider answered ${res.status}`);
  },
});
process.stdout.write(`${JSON.stringify({ summary })}\n`);
await pool.end();
