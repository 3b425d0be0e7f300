/**
 * The msgqueue demo: a few hundred texts queued in SQLite (or PostgreSQL with DATABASE_URL), drained
 * by several worker processes that each run a node-cron tick every second — overlapping, against a
 * provider that is sometimes unavailable, sometimes slow past the lease, sometimes loses its answer,
 * and that once has a worker killed mid-send. Ends with the provider's log held against the table and
 * `diagnose`'s report; exits 1 if anything was lost, sent twice without cause or left in flight.
 *
 *   pnpm demo [--messages 300] [--workers 4] [--mode at-least-once|at-most-once] [--seed 42]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { DeliveryMode, MessageRecord, RunSummary } from '@org/msgqueue';
import type { DemoMessage, WorkerEnv } from './config.js';
import { startProvider, UNKNOWN_RECIPIENT } from './provider.js';
import { describeVerdict, judge, passed } from './report.js';
import { describeStorage, freshTable, openPrisma, openQueue } from './storage.js';

const USAGE =
  'usage: pnpm demo [--messages 300] [--workers 4] [--mode at-least-once|at-most-once] [--seed 42] [--deadline-s 55] [--worker]';
const argv = process.argv.slice(2);
function parse() {
  return parseArgs({
    args: argv[0] === '--' ? argv.slice(1) : argv, // `pnpm demo -- --messages 50` passes the `--` along
    options: {
      messages: { type: 'string', default: '300' },
      workers: { type: 'string', default: '4' },
      mode: { type: 'string', default: 'at-least-once' },
      seed: { type: 'string', default: '42' },
      'deadline-s': { type: 'string', default: '55' },
      worker: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
let args: ReturnType<typeof parse>['values'];
try {
  args = parse().values;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const whole = (name: string, value: string, min: number, max: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name}: expected a whole number from ${min} to ${max}, got ${value}\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const total = whole('messages', args.messages, 20, 100_000);
const workerCount = whole('workers', args.workers, 1, 16);
const seed = whole('seed', args.seed, 0, 2 ** 31);
const deadlineMs = whole('deadline-s', args['deadline-s'], 5, 3600) * 1000;
if (args.mode !== 'at-least-once' && args.mode !== 'at-most-once') {
  console.error(`--mode: expected at-least-once or at-most-once, got ${args.mode}\n${USAGE}`);
  process.exit(2);
}
const mode: DeliveryMode = args.mode;

const scratch = process.env.DATABASE_URL ? null : mkdtempSync(join(tmpdir(), 'msgqueue-demo-'));
const storage = process.env.DATABASE_URL ?? `file:${join(scratch!, 'demo.db')}`;
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;

// 1. A fresh table, and the texts: 40 conversations, each in order (a group), two to a number the provider does not know.
const prisma = await openPrisma(storage);
await freshTable(prisma, storage);
const queue = openQueue(prisma, storage, mode);
const ids: string[] = [];
for (let from = 0; from < total; from += 500) {
  const batch = Array.from({ length: Math.min(500, total - from) }, (_, i) => {
    const n = from + i;
    const to = n === 13 || n === total - 7 ? UNKNOWN_RECIPIENT : `+336000000${String(n % 40).padStart(2, '0')}`;
    return { payload: { n, to, text: `message ${n}` }, groupKey: `conversation:${to}` };
  });
  ids.push(...(await queue.enqueueMany(batch)).map((r) => r.id));
}
console.log(`msgqueue demo: ${total} texts queued in ${describeStorage(storage)}, ${mode}`);
console.log(
  args.worker
    ? `${workerCount} worker processes, each running queue.work (ticks back to back, batch 10, 4 sends at a time)\n`
    : `${workerCount} worker processes, each running a node-cron tick every second (runOnce: batch 10, 4 sends at a time)\n`,
);

// 2. The provider, and the workers; the provider has one of them killed mid-send.
const provider = await startProvider({ seed, killAt: Math.floor(total / 4) });
const env: WorkerEnv = {
  DEMO_STORAGE: storage,
  DEMO_PROVIDER_URL: provider.url,
  DEMO_MODE: mode,
  ...(args.worker ? { DEMO_WORKER: '1' } : {}),
};
const workerFile = fileURLToPath(new URL('./worker.ts', import.meta.url));
const workers = new Set<ChildProcess>();
const ticks: RunSummary[] = [];
const killedPids = new Set<number>();
let killed = 0;
let stopping = false;
const startWorker = () => {
  if (stopping) return;
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', workerFile], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('message', (m: { summary?: RunSummary; error?: string }) => {
    if (m.summary) ticks.push(m.summary);
    if (m.error) console.error(`\n${elapsed()}  a tick failed: ${m.error}`);
  });
  child.once('exit', () => workers.delete(child));
  workers.add(child);
};
provider.on('kill', (pid) => {
  const victim = [...workers].find((w) => w.pid === pid);
  if (!victim) return;
  victim.kill('SIGKILL');
  killedPids.add(pid);
  killed++;
  log(`worker ${pid} killed mid-send (the provider had just accepted message #${provider.log.at(-1)?.n}); a new one starts`);
  setTimeout(startWorker, 500);
});
for (let i = 0; i < workerCount; i++) startWorker();

// 3. Progress until nothing is left in flight (or the deadline).
const tty = process.stdout.isTTY;
let pending = '';
function log(line: string) {
  process.stdout.write(`${tty && pending ? '\r\x1b[K' : ''}${elapsed()}  ${line}\n`);
  pending = '';
}
let lastLine = 0;
for (;;) {
  await new Promise((r) => setTimeout(r, 500));
  const { counts } = await queue.diagnose({ sampleSize: 0 });
  const open = counts.PENDING + counts.PROCESSING + counts.SENDING;
  const refused = provider.log.filter((e) => e.outcome === 'unavailable').length;
  const line = `pending ${counts.PENDING}  in flight ${counts.PROCESSING + counts.SENDING}  sent ${counts.SENT}  failed ${counts.FAILED}  held ${counts.HELD}  │ provider: ${provider.log.length} requests, ${refused} refused  │ workers: ${workers.size}${killed ? ` (${killed} killed)` : ''}`;
  if (tty) {
    process.stdout.write(`\r\x1b[K${elapsed()}  ${line}`);
    pending = line;
  } else if (Date.now() - lastLine >= 2000 || open === 0) {
    log(line);
    lastLine = Date.now();
  }
  if (open === 0 || Date.now() - started > deadlineMs) break;
}
if (tty) process.stdout.write('\n');

// 4. Stop the workers (each finishes its tick), then hold the provider's log against the table.
stopping = true;
const stopped = [...workers].map((w) => new Promise((resolve) => w.once('exit', resolve)));
for (const w of workers) w.kill('SIGTERM');
await Promise.all(stopped);
await provider.close();
const rows = (await Promise.all(ids.map((id) => queue.get(id)))) as MessageRecord<DemoMessage>[];
const verdict = judge(rows, provider.log, killedPids);
const staleClaims = ticks.reduce((n, t) => n + t.staleClaims, 0);
console.log(`\nProvider's log against the table (${ticks.length} ticks; ${staleClaims} transitions refused to a stale claim):`);
for (const line of describeVerdict(verdict, total)) console.log(line);

const report = await queue.diagnose();
console.log(
  `\ndiagnose(): ${report.healthy ? 'healthy' : 'NOT healthy'} · ${Object.entries(report.counts)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${s} ${n}`)
    .join(' · ')}`,
);
for (const f of report.findings) console.log(`  [${f.severity}] ${f.code}: ${f.message}`);
await prisma.$disconnect();

const ok = passed(verdict);
console.log(
  ok
    ? `\nOK in ${elapsed().trim()}: every message delivered once, failed for good or held with its reason; no conversation out of order.`
    : '\nFAILED: see "lost", "sent twice without cause", "out of order" and "still in flight" above.',
);
if (scratch) rmSync(scratch, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
