/**
 * The chaos run: a producer, several worker processes running the cron tick, a fake provider in
 * its own process, and a seeded nemesis; then heal, drain, and check the history.
 *
 *   pnpm chaos [--duration 60s|10m] [--seed N] [--mode both|at-least-once|at-most-once]
 *              [--db postgresql|mariadb|sqlite] [--workers 4] [--rate 25] [--restarts]
 *              [--rate-limit 20] [--pauses] [--json]
 *
 * --restarts: the run starts a database server of its own and the nemesis kills it (kill -9, every
 * process of it) and starts it again in the middle of the drain, among its other faults.
 *
 * --rate-limit N: every worker's queue is limited to N sends a second (shared through the database);
 * the checker holds the provider's log to it. --pauses: the queue is paused for every worker once
 * or twice mid-run (lease + 2 s each); the checker finds no delivery claimed behind the pause.
 *
 * PostgreSQL comes from DATABASE_URL (a private database is created in it) or an embedded one;
 * MariaDB from MARIADB_URL. Exit code 0 when every check passes.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createQueue, type DeliveryMode } from '@org/msgqueue';
import { generateClients, openClient } from '@org/msgqueue-test-support';
import { prismaAdapter } from '../src/index.js';
import { freshDefaultTables, openTarget, quoteName } from '../test/support/target.js';
import { type CheckReport, check, type Delivery, type Enqueued, type Fault } from './checker.js';
import { runNemesis } from './nemesis.js';
import { prng, Supervisor, sleep, spawnChaos, startProvider } from './processes.js';
import { CHAOS_QUEUE_OPTIONS, type ChaosPayload } from './settings.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '60s' },
    seed: { type: 'string', default: '1' },
    mode: { type: 'string', default: 'both' },
    db: { type: 'string', default: 'postgresql' },
    workers: { type: 'string', default: '4' },
    rate: { type: 'string', default: '25' },
    json: { type: 'boolean', default: false },
    restarts: { type: 'boolean', default: false },
    'rate-limit': { type: 'string' },
    pauses: { type: 'boolean', default: false },
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
const RATE_LIMIT = values['rate-limit'] === undefined ? null : Number(values['rate-limit']);
if (RATE_LIMIT !== null && !(Number.isInteger(RATE_LIMIT) && RATE_LIMIT >= 1))
  throw new Error('--rate-limit: expected sends a second, e.g. 20');
const modes: DeliveryMode[] = values.mode === 'both' ? ['at-least-once', 'at-most-once'] : [values.mode as DeliveryMode];
const log = (...a: unknown[]) => (values.json ? process.stderr : process.stdout).write(`[chaos] ${a.join(' ')}\n`);

// ── the database ──────────────────────────────────────────────────────────────
generateClients();
const { dialect, url, cleanup, server } = await openTarget(values.db!, { own: values.restarts });
const main = await openClient(dialect, url, 2);
const q = (n: string) => quoteName(dialect, n);
const freshTables = () => freshDefaultTables(main, dialect);

// ── one run ───────────────────────────────────────────────────────────────────
async function runMode(mode: DeliveryMode, seed: number): Promise<CheckReport> {
  const random = prng(seed); // the nemesis's own stream, so its schedule depends on the seed alone
  const produce = prng(seed * 7919 + 1);
  const dir = mkdtempSync(join(tmpdir(), `msgqueue-chaos-${mode}-`));
  await freshTables();
  const providerLog = join(dir, 'deliveries.jsonl');
  const prov = await startProvider(providerLog);
  const statsFile = join(dir, 'stats.jsonl');
  const workers = new Supervisor((id) =>
    spawnChaos('worker.ts', [dialect, url, mode, String(prov.port), id, statsFile, ...(RATE_LIMIT === null ? [] : [String(RATE_LIMIT)])]),
  );
  for (let i = 0; i < WORKERS; i++) workers.spawn(`w${i}`);

  const queue = createQueue<ChaosPayload>({
    adapter: prismaAdapter(main as never, { dialect, lockTable: false }),
    deliveryMode: mode,
    ...CHAOS_QUEUE_OPTIONS,
  });
  const enqueued: Enqueued[] = [];
  const nextInGroup = new Map<number, number>();
  const faults: Fault[] = [];
  const started = Date.now();
  let seq = 0;

  // The producer: a steady stream, 40 % of it in 20 conversations.
  const producer = (async () => {
    while (Date.now() - started < DURATION) {
      const batch = Array.from({ length: Math.max(1, Math.round(RATE / 5)) }, () => {
        const grouped = produce() < 0.4;
        const g = grouped ? Math.floor(produce() * 20) : -1;
        const n = grouped ? (nextInGroup.get(g) ?? 0) : 0;
        if (grouped) nextInGroup.set(g, n + 1);
        return { payload: { g, n }, dedupeKey: `p${seq++}`, ...(grouped ? { groupKey: `conversation-${g}` } : {}) };
      });
      // A dedupe key per message: a batch retried after a lost answer (the database restarting) is the same messages.
      let results: Awaited<ReturnType<typeof queue.enqueueMany>> | null = null;
      while (!results) {
        results = await queue.enqueueMany(batch).catch(async () => {
          await sleep(200);
          return null;
        });
      }
      for (const [i, r] of results.entries()) enqueued.push({ id: r.id, g: batch[i]!.payload.g, n: batch[i]!.payload.n });
      await sleep(200);
    }
  })();

  const nemesis = runNemesis({
    random,
    until: started + DURATION - 1_000,
    workers,
    workerCount: WORKERS,
    provider: prov,
    canTerminate: dialect !== 'sqlite',
    terminate: terminateConnections,
    leaseMs: CHAOS_QUEUE_OPTIONS.leaseMs,
    tokenOf,
    faults,
    attributable: dialect === 'postgresql',
    restart: server
      ? async () => {
          await server.kill9();
          await sleep(1_000);
          await server.start();
        }
      : null,
  });

  // The operator: pause the queue for every worker (lease + 2 s), resume, once or twice mid-run.
  const pauses: { start: number; end: number }[] = [];
  const operator = (async () => {
    if (!values.pauses) return;
    const retried = async (what: () => Promise<unknown>) => {
      while (
        !(await what().then(
          () => true,
          () => false,
        ))
      )
        await sleep(200);
    };
    for (const at of DURATION >= 40_000 ? [0.3, 0.7] : [0.4]) {
      await sleep(Math.max(0, started + at * DURATION - Date.now()));
      await retried(() => queue.pause({ note: 'chaos: operator pause' }));
      const start = Date.now();
      await sleep(CHAOS_QUEUE_OPTIONS.leaseMs + 2_000);
      const end = Date.now();
      await retried(() => queue.resume());
      pauses.push({ start, end });
    }
  })();

  const [, certain] = await Promise.all([producer, nemesis, operator]);
  // Heal: everything normal, every worker running; let recycling run and the queue drain.
  await prov.control('normal');
  for (const c of workers.children.values()) c.kill('SIGCONT');
  const drainDeadline = Date.now() + 60_000;
  let counts: Record<string, number> = {};
  while (Date.now() < drainDeadline) {
    // Right after a restart the runner's own connections may be broken once: ask again.
    const report = await queue.diagnose({ sampleSize: 0 }).catch(() => null);
    if (!report) {
      await sleep(500);
      continue;
    }
    counts = report.counts;
    if (counts.PENDING === 0 && counts.PROCESSING === 0 && counts.SENDING === 0) break;
    await sleep(500);
  }
  await workers.stop();
  prov.child.kill('SIGTERM');

  const report = await queue.diagnose({ sampleSize: 0 });
  const rows = await main.$queryRawUnsafe<{ id: string; status: string }[]>(
    `SELECT ${q('id')} AS id, ${q('status')} AS status FROM ${q('msgqueue_messages')}`,
  );
  const deliveries = existsSync(providerLog) ? readLines<Delivery>(providerLog) : [];
  const stats = existsSync(statsFile)
    ? readLines<{ worker?: string; pid?: number; id?: string; staleClaim?: string; ambiguousSend?: string }>(statsFile)
    : [];
  const result = check({
    mode,
    leaseMs: CHAOS_QUEUE_OPTIONS.leaseMs,
    enqueued,
    rows,
    deliveries,
    faults,
    staleClaims: stats.flatMap((s) => (s.staleClaim ? [{ worker: `${s.worker}:${s.pid}`, id: s.id ?? '' }] : [])),
    pausedMidSend: certain.pausedMidSend,
    pauseFailure: certain.why,
    ambiguousSends: new Set(stats.flatMap((s) => (s.ambiguousSend ? [s.ambiguousSend] : []))),
    diagnoseCounts: report.counts,
    diedOnTheirOwn: workers.diedOnTheirOwn,
    rateLimit: RATE_LIMIT === null ? null : { max: RATE_LIMIT, perMs: 1000 },
    pauses,
  });
  if (!result.pass) {
    log(`worker stderr (last lines): ${workers.errors.slice(-1500)}`);
    for (const u of result.duplicates.unexplained) log(`unexplained duplicate: ${u}`);
    log(`faults: ${JSON.stringify(faults)}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return result;
}

/** The claim token a message's row carries now. */
async function tokenOf(id: string): Promise<string | null> {
  const param = dialect === 'postgresql' ? '$1' : '?';
  const rows = await main.$queryRawUnsafe<{ token: string | null }[]>(
    `SELECT ${q('claim_token')} AS token FROM ${q('msgqueue_messages')} WHERE ${q('id')} = ${param}`,
    id,
  );
  return rows[0]?.token ?? null;
}

async function terminateConnections(workerId: string) {
  if (dialect === 'postgresql') {
    await main.$queryRawUnsafe(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, `chaos-${workerId}`);
  } else if (dialect === 'mysql') {
    const ids = await main.$queryRawUnsafe<{ id: unknown }[]>(
      'SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID()',
    );
    for (const { id } of ids) await main.$executeRawUnsafe(`KILL CONNECTION ${Number(id)}`).catch(() => {});
  }
}

function readLines<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);
}

// ── main ──────────────────────────────────────────────────────────────────────
const reports: CheckReport[] = [];
try {
  for (const [i, mode] of modes.entries()) {
    log(
      `${mode}: ${values.duration} on ${values.db}, seed ${SEED + i}, ${WORKERS} workers, ~${RATE} msg/s${RATE_LIMIT === null ? '' : `, limited to ${RATE_LIMIT}/s`}${values.pauses ? ', with pauses' : ''}`,
    );
    reports.push(await runMode(mode, SEED + i));
  }
} finally {
  await main.$disconnect();
  await cleanup();
}
for (const r of reports) {
  log(`── ${r.mode}: ${r.pass ? 'PASS' : `FAIL (${r.failures.join('; ')})`}`);
  log(`   messages ${r.messages}, deliveries ${r.deliveries}, sent ${r.sent}, failed ${r.failed}, held ${r.held}`);
  log(`   faults ${JSON.stringify(r.faults)}`);
  log(
    `   lost ${r.lost.length}, unexpected ${r.unexpected}, duplicates ${r.duplicates.total} ${JSON.stringify(r.duplicates.byCause)}, unexplained ${r.duplicates.unexplained.length}`,
  );
  log(
    `   rate limit ${r.rateLimit ? `${r.rateLimit.max}/s: busiest second ${r.rateLimit.busiest} (${r.rateLimit.excused} arrivals of sends that outlived their lease set aside; ${r.rateLimit.busiestAll} with them)` : 'none'}; pauses ${r.pauses.windows.length}, deliveries claimed behind a pause ${r.pauses.behind.length}`,
  );
  log(
    `   workers that exited on their own ${r.diedOnTheirOwn.length}, not terminal ${r.nonTerminal.length}, stale claims refused ${r.staleClaimsRefused} (paused mid-send: ${r.pausedMidSend ? `${r.pausedMidSend.worker} on ${r.pausedMidSend.id}` : 'none'}), group order broken ${r.groups.outOfOrder.length}, overlapping ${r.groups.overlapping.length}, diagnose matches ${r.diagnoseMatches}`,
  );
}
if (values.json) process.stdout.write(`${JSON.stringify(reports)}\n`);
process.exit(reports.every((r) => r.pass) ? 0 : 1);
