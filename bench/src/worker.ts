/**
 * One worker process of the bench. argv: system-key url messages options-json.
 * Prepares (connects, starts a runner, reads the schema), prints `{"ready":true}`, waits for a line
 * on stdin, drains the queue (no-op sends), prints `{"done":…}` with its elapsed time, peak RSS and
 * (where it claims itself) claim latencies, then waits for stdin to close before it lets go of its
 * connections (the parent reads the server's CPU time in between).
 */
import { createInterface } from 'node:readline';
import { claimMs, prepare, progress } from './drains.js';

const [key, url, messagesText, optionsJson] = process.argv.slice(2) as [string, string, string, string];
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

async function main(): Promise<void> {
  const options = JSON.parse(optionsJson) as Record<string, number>;
  const drain = await prepare(key, url, Number(messagesText), options);
  say({ ready: true });
  await lines.next();
  if (options.curve) return curve(drain);
  const t = performance.now();
  const cpu = process.cpuUsage();
  await drain.work();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  say({ done: true, ms, rssMb: peakRss / 2 ** 20, cpuMs: (used.user + used.system) / 1000, claimMs });
  await lines.next(); // the parent read the server's CPU; let go
  clearInterval(sampler);
  await drain.closing();
  process.exit(0);
}

/**
 * One of many processes of the process-count curve: drain until the parent, having seen the queue
 * empty, asks what this process did; answer how many messages it handled and when it last finished
 * one, then let go.
 */
async function curve(drain: Awaited<ReturnType<typeof prepare>>): Promise<void> {
  void drain.work();
  await lines.next(); // report
  say({ done: true, count: progress.count, lastAt: progress.lastAt, rssMb: peakRss / 2 ** 20 });
  clearInterval(sampler);
  await lines.next(); // the parent read the server's CPU; let go
  await drain.closing();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
