/**
 * The chaos run: a producer, several worker processes running the cron tick, a fake provider in
 * its own process, and a seeded nemesis; then heal, drain, and check the history.
 *
 *   pnpm chaos [--duration 60s|10m] [--seed N] [--mode both|at-least-once|at-most-once]
 *              [--db postgresql|mariadb|sqlite] [--workers 4] [--rate 25] [--json]
 *
 * PostgreSQL comes from DATABASE_URL (a private database is created in it) or an embedded one;
 * MariaDB from MARIADB_URL. Exit code 0 when every check passes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createQueue, type DeliveryMode } from '@org/msgqueue';
import { prismaAdapter, type Provider, splitStatements } from '../src/index.js';
import { startEmbeddedPostgres } from '../test/support/embedded-postgres.js';
import { generateClients } from '../test/support/generate-clients.js';
import { openClient } from '../test/support/open-client.js';
import { check, type CheckReport, type Delivery, type Enqueued, type Fault } from './checker.js';
import { CHAOS_QUEUE_OPTIONS, type ChaosPayload } from './settings.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    seed: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'both' },
    db: { type: 'string', default: 'postgresql' },
    workers: { type: 'string', default: '4' },
    rate: { type: 'string', default: '25' },
    json: { type: 'boolean', default: false },
  },
});

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new Error(`--duration: expected e.g. 60s or 10m, got ${text}`);
  return Number(m[1]) * (m[2] === 'm' ? 60_000 : m[2] === 'ms' ? 1 : 1_000);
}
const DURATION = parseDuration(values.duration!);
const SEED = Number(values.seed);
const WORKERS = Number(values.workers);
const RATE = Number(values.rate);
const modes: DeliveryMode[] = values.mode === 'both' ? ['at-least-once', 'at-most-once'] : [values.mode as DeliveryMode];
const log = (...a: unknown[]) => (values.json ? process.stderr : process.stdout).write(`[chaos] ${a.join(' ')}\n`);

/** A small seeded PRNG (mulberry32): the same seed gives the same nemesis schedule. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ── the database ──────────────────────────────────────────────────────────────
generateClients();
const cleanups: (() => Promise<void>)[] = [];
let provider: Provider;
let url: string;
if (values.db === 'sqlite') {
  const dir = mkdtempSync(join(tmpdir(), 'msgqueue-chaos-'));
  provider = 'sqlite';
  url = `file:${join(dir, 'chaos.db')}`;
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
} else if (values.db === 'mariadb') {
  provider = 'mysql';
  url = process.env.MARIADB_URL ?? 'mariadb://root@127.0.0.1:3306/test';
} else {
  provider = 'postgresql';
  if (process.env.DATABASE_URL) url = process.env.DATABASE_URL;
  else {
    const pg = await startEmbeddedPostgres();
    url = pg.url;
    cleanups.push(pg.stop);
  }
}
const main = await openClient(provider, url, 2);
const q = (n: string) => (provider === 'mysql' ? `\`${n}\`` : `"${n}"`);

async function freshTables() {
  for (const t of ['msgqueue_messages', 'msgqueue_locks']) await main.$executeRawUnsafe(`DROP TABLE IF EXISTS ${q(t)}`);
  for (const s of splitStatements(readFileSync(new URL(`../sql/${provider}.sql`, import.meta.url), 'utf8'))) await main.$executeRawUnsafe(s);
  if (provider === 'sqlite') await main.$queryRawUnsafe('PRAGMA journal_mode = WAL');
}

// ── processes ─────────────────────────────────────────────────────────────────
function tsx(file: string, args: string[], stdio: 'pipe' | 'ignore' = 'ignore'): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', join(here, file), ...args], {
    cwd: join(here, '..'),
    stdio: ['ignore', stdio, 'pipe'],
  });
}

async function startProvider(logFile: string): Promise<{ child: ChildProcess; control: (mode: string, delayMs?: number) => Promise<void> }> {
  const child = tsx('provider.ts', [logFile], 'pipe');
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`provider exited ${code}`)));
  });
  const control = async (mode: string, delayMs = 0) => {
    await fetch(`http://127.0.0.1:${port}/control`, { method: 'POST', body: JSON.stringify({ mode, delayMs }) });
  };
  return Object.assign({ child, control }, { port });
}

class Supervisor {
  readonly children = new Map<string, ChildProcess>();
  private stopping = false;
  errors = '';
  constructor(private readonly start: (id: string) => ChildProcess) {}
  spawn(id: string) {
    const child = this.start(id);
    child.stderr?.on('data', (d) => (this.errors = (this.errors + d).slice(-4000)));
    this.children.set(id, child);
    child.on('exit', () => {
      if (!this.stopping) setTimeout(() => this.spawn(id), 300); // a crashed worker comes back, as on a platform
    });
  }
  target(id: string) {
    const c = this.children.get(id)!;
    return { child: c, name: `${id}:${c.pid}` };
  }
  async stop() {
    this.stopping = true;
    for (const c of this.children.values()) c.kill('SIGCONT');
    for (const c of this.children.values()) c.kill('SIGTERM');
    const deadline = Date.now() + 8_000;
    while ([...this.children.values()].some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(100);
    for (const c of this.children.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

// ── one run ───────────────────────────────────────────────────────────────────
async function runMode(mode: DeliveryMode, seed: number): Promise<CheckReport> {
  const random = prng(seed); // the nemesis's own stream, so its schedule depends on the seed alone
  const produce = prng(seed * 7919 + 1);
  const dir = mkdtempSync(join(tmpdir(), `msgqueue-chaos-${mode}-`));
  await freshTables();
  const providerLog = join(dir, 'deliveries.jsonl');
  const prov = (await startProvider(providerLog)) as Awaited<ReturnType<typeof startProvider>> & { port: number };
  const statsFile = join(dir, 'stats.jsonl');
  const workers = new Supervisor((id) => tsx('worker.ts', [provider, url, mode, String(prov.port), id, statsFile]));
  for (let i = 0; i < WORKERS; i++) workers.spawn(`w${i}`);

  const queue = createQueue<ChaosPayload>({ adapter: prismaAdapter(main as never, { provider, lockTable: false }), deliveryMode: mode, ...CHAOS_QUEUE_OPTIONS });
  const enqueued: Enqueued[] = [];
  const nextInGroup = new Map<number, number>();
  const faults: Fault[] = [];
  const started = Date.now();

  // The producer: a steady stream, 40 % of it in 20 conversations.
  const producer = (async () => {
    while (Date.now() - started < DURATION) {
      const batch = Array.from({ length: Math.max(1, Math.round(RATE / 5)) }, () => {
        const grouped = produce() < 0.4;
        const g = grouped ? Math.floor(produce() * 20) : -1;
        const n = grouped ? (nextInGroup.get(g) ?? 0) : 0;
        if (grouped) nextInGroup.set(g, n + 1);
        return { payload: { g, n }, ...(grouped ? { groupKey: `conversation-${g}` } : {}) };
      });
      const results = await queue.enqueueMany(batch);
      results.forEach((r, i) => enqueued.push({ id: r.id, g: batch[i]!.payload.g, n: batch[i]!.payload.n }));
      await sleep(200);
    }
  })();

  // The nemesis: one fault at a time, every kind in a seeded order, each healed before the next.
  const kinds: Fault['kind'][] = ['kill', 'stop', 'slow', 'drop', 'error', ...(provider === 'sqlite' ? [] : (['terminate'] as const))];
  const nemesis = (async () => {
    let cycle: Fault['kind'][] = [];
    await sleep(1_500);
    while (Date.now() - started < DURATION - 1_000) {
      if (cycle.length === 0) cycle = [...kinds].sort(() => random() - 0.5);
      const kind = cycle.shift()!;
      const worker = workers.target(`w${Math.floor(random() * WORKERS)}`);
      const fault: Fault = { kind, target: null, start: Date.now(), end: 0 };
      if (kind === 'kill') {
        fault.target = worker.name;
        worker.child.kill('SIGKILL');
      } else if (kind === 'stop') {
        // Pause a worker mid-send when one is (a GC pause, a frozen container): its lease runs out.
        const busy = await workerMidSend(prov.port);
        const paused = busy ? workers.target(busy.split(':')[0]!) : worker;
        fault.target = paused.name;
        fault.start = Date.now();
        paused.child.kill('SIGSTOP');
        await sleep(CHAOS_QUEUE_OPTIONS.leaseMs + 1_500);
        paused.child.kill('SIGCONT');
      } else if (kind === 'terminate') {
        fault.target = provider === 'postgresql' ? worker.name : null;
        await terminateConnections(worker.name.split(':')[0]!);
      } else {
        await prov.control(kind === 'error' ? 'error' : kind, kind === 'slow' ? CHAOS_QUEUE_OPTIONS.leaseMs + 1_000 : 0);
        await sleep(kind === 'slow' ? 4_000 : 2_500);
        await prov.control('normal');
      }
      fault.end = Date.now();
      faults.push(fault);
      await sleep(500 + random() * 1_000);
    }
  })();

  await Promise.all([producer, nemesis]);
  // Heal: everything normal, every worker running; let recycling run and the queue drain.
  await prov.control('normal');
  for (const c of workers.children.values()) c.kill('SIGCONT');
  const drainDeadline = Date.now() + 60_000;
  let counts: Record<string, number> = {};
  while (Date.now() < drainDeadline) {
    counts = (await queue.diagnose({ sampleSize: 0 })).counts;
    if (counts.PENDING === 0 && counts.PROCESSING === 0 && counts.SENDING === 0) break;
    await sleep(500);
  }
  await workers.stop();
  prov.child.kill('SIGTERM');

  const report = await queue.diagnose({ sampleSize: 0 });
  const rows = await main.$queryRawUnsafe<{ id: string; status: string }[]>(`SELECT ${q('id')} AS id, ${q('status')} AS status FROM ${q('msgqueue_messages')}`);
  const deliveries = existsSync(providerLog) ? readLines<Delivery>(providerLog) : [];
  const stats = existsSync(statsFile) ? readLines<{ staleClaim?: string }>(statsFile) : [];
  const result = check({
    mode,
    leaseMs: CHAOS_QUEUE_OPTIONS.leaseMs,
    enqueued,
    rows,
    deliveries,
    faults,
    staleClaims: stats.filter((s) => s.staleClaim).length,
    diagnoseCounts: report.counts,
  });
  if (!result.pass) {
    log(`worker stderr (last lines): ${workers.errors.slice(-1500)}`);
    for (const u of result.duplicates.unexplained) {
      const id = u.split(' ')[0]!;
      log(`unexplained: ${JSON.stringify(deliveries.filter((d) => d.id === id))}`);
    }
    log(`faults: ${JSON.stringify(faults)}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

/** A worker with a request open at the provider, polling for up to two seconds. */
async function workerMidSend(port: number): Promise<string | null> {
  const until = Date.now() + 2_000;
  while (Date.now() < until) {
    const busy = (await (await fetch(`http://127.0.0.1:${port}/inflight`)).json()) as string[];
    if (busy.length) return busy[0]!;
    await sleep(5);
  }
  return null;
}

async function terminateConnections(workerId: string) {
  if (provider === 'postgresql') {
    await main.$queryRawUnsafe(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, `chaos-${workerId}`);
  } else if (provider === 'mysql') {
    const ids = await main.$queryRawUnsafe<{ id: unknown }[]>('SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()');
    for (const { id } of ids) await main.$executeRawUnsafe(`KILL CONNECTION ${Number(id)}`).catch(() => {});
  }
}

function readLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
}

// ── main ──────────────────────────────────────────────────────────────────────
const reports: CheckReport[] = [];
try {
  for (const [i, mode] of modes.entries()) {
    log(`${mode}: ${values.duration} on ${values.db}, seed ${SEED + i}, ${WORKERS} workers, ~${RATE} msg/s`);
    reports.push(await runMode(mode, SEED + i));
  }
} finally {
  await main.$disconnect();
  for (const c of cleanups.reverse()) await c();
}
for (const r of reports) {
  log(`── ${r.mode}: ${r.pass ? 'PASS' : `FAIL (${r.failures.join('; ')})`}`);
  log(`   messages ${r.messages}, deliveries ${r.deliveries}, sent ${r.sent}, failed ${r.failed}, held ${r.held}`);
  log(`   faults ${JSON.stringify(r.faults)}`);
  log(`   lost ${r.lost.length}, unexpected ${r.unexpected}, duplicates ${r.duplicates.total} ${JSON.stringify(r.duplicates.byCause)}, unexplained ${r.duplicates.unexplained.length}`);
  log(`   not terminal ${r.nonTerminal.length}, stale claims refused ${r.staleClaimsRefused}, group order broken ${r.groups.outOfOrder.length}, overlapping ${r.groups.overlapping.length}, diagnose matches ${r.diagnoseMatches}`);
}
if (values.json) process.stdout.write(`${JSON.stringify(reports)}\n`);
process.exit(reports.every((r) => r.pass) ? 0 : 1);
