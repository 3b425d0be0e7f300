/**
 * One worker process for the rate-limit test: `queue.work` over the default table through its own
 * pg pool, under the limit the test names, posting each message to the test's provider; stops when
 * its standard input closes and prints its summary as one JSON line.
 * argv: url provider-url limit ('queue': 20 a second for the queue; 'key': 1 a second per `to`)
 */
import { createQueue, type RateLimit } from '@org/msgqueue';
import pg from 'pg';
import { pgAdapter } from '../../src/pg.js';

const [url, provider, limit] = process.argv.slice(2) as [string, string, 'queue' | 'key'];
const rateLimit: RateLimit =
  limit === 'queue' ? { max: 20, perMs: 1000 } : { max: 1, perMs: 1000, key: (m) => (m.payload as { to: string }).to };
const pool = new pg.Pool({ connectionString: url, max: 4 });
const queue = createQueue<{ to: string; n: number }>({ adapter: pgAdapter(pool), rateLimit });
const stop = new AbortController();
process.stdin.on('end', () => stop.abort());
process.stdin.resume();
const summary = await queue.work({
  signal: stop.signal,
  idleMs: 50,
  concurrency: 4,
  send: async (m) => {
    const res = await fetch(provider, { method: 'POST', body: JSON.stringify({ id: m.id, to: m.payload.to, pid: process.pid }) });
    if (!res.ok) throw new Error(`provider answered ${res.status}`);
  },
});
process.stdout.write(`${JSON.stringify({ summary })}\n`);
await pool.end();
