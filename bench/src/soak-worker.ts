/**
 * One process of the soak. argv: role url options-json. Roles:
 * - `producer`: enqueues `rate` messages a second (60-character payloads), a tenth every 100 ms;
 * - `consumer`: runs ticks back to back (batch 50, concurrency 50, recycling on), pausing 50 ms when
 *   a tick found nothing, timing every claim through the `claimed` hook;
 * - `retention`: deletes SENT messages older than `retentionMs`, as an operator's cron would
 *   (`purge`; the queue option's floor is an hour, longer than a soak).
 * Each prints a line every 5 s with what it did since the last, and stops when stdin closes.
 */
import { createInterface } from 'node:readline';
import { createQueue } from '@org/msgqueue';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import pg from 'pg';

const [role, url, optionsJson] = process.argv.slice(2) as [string, string, string];
const options = JSON.parse(optionsJson) as { rate?: number; retentionMs?: number };
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
let stopping = false;
createInterface({ input: process.stdin }).on('close', () => {
  stopping = true;
});

const pool = new pg.Pool({ connectionString: url, max: 2 });
const claims: number[] = [];
const queue = createQueue({
  adapter: pgAdapter(pool, { lockTable: false }),
  hooks: { claimed: ({ durationMs }) => void claims.push(durationMs) },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let done = 0;
const report = setInterval(() => {
  say({ role, done, claims: claims.splice(0) });
  done = 0;
}, 5000);

async function main(): Promise<void> {
  await queue.diagnose({ sampleSize: 0 }); // the schema read
  say({ ready: true });
  if (role === 'producer') {
    const perTick = Number.isFinite(options.rate!) ? Math.max(1, Math.round(options.rate! / 10)) : 1000;
    let next = performance.now();
    let n = 0;
    while (!stopping) {
      for (let left = perTick; left > 0; left -= 1000) {
        await queue.enqueueMany(
          Array.from({ length: Math.min(1000, left) }, () => ({
            payload: { to: `+3361234${String(n++ % 10_000).padStart(4, '0')}`, body: 'x'.repeat(24) },
          })),
        );
      }
      done += perTick;
      if (!Number.isFinite(options.rate!)) continue; // as fast as it goes (the calibration)
      next += 100;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      else next = performance.now(); // behind: do not burst to catch up
    }
  } else if (role === 'consumer') {
    while (!stopping) {
      const s = await queue.runOnce({ overlap: 'allow', limit: 50, concurrency: 50, send: async () => {} });
      done += s.sent;
      if (s.claimed === 0) await sleep(50);
    }
  } else if (role === 'retention') {
    while (!stopping) {
      const r = await queue.purge({ olderThanMs: options.retentionMs!, limit: 20_000 });
      done += r.changed;
      if (!r.more) await sleep(2000);
    }
  } else {
    throw new Error(`unknown role ${role}`);
  }
  clearInterval(report);
  say({ role, done, claims: claims.splice(0) });
  await pool.end();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
