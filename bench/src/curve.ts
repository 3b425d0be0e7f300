/**
 * The process-count curve: one queue on one PostgreSQL drained by 1, 2, 4… worker processes at once,
 * for msgqueue, pg-boss, graphile-worker and the raw statements. Each process is small (two loops
 * and connections, or the peer's equivalent), as one cron instance or one worker of a fleet is. The
 * clock runs from the start signal to the last message any process finished; the parent sees the
 * queue empty by polling an indexed count every 100 ms, then asks each process when it finished its
 * last message. Beside throughput: the machine's CPU busy share, the database's CPU per message, and
 * what the database's active sessions were found waiting on (row locks, internal locks, I/O) — what
 * flattens a curve.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { cpuBetween, serverCpu } from './db.js';
import { fill, type Urls } from './fill.js';
import { SYSTEMS, type System } from './systems.js';

/** The systems of the curve, each at batch 50, and what each process of it runs. */
export const CURVE: { key: string; options: Record<string, number> }[] = [
  { key: 'raw-batch-50', options: { loops: 2 } },
  { key: 'mq-tick-50', options: { loops: 2 } },
  { key: 'pgboss-50', options: { loops: 2 } },
  { key: 'graphile-lq-50', options: { loops: 2 } },
];

export interface CurvePoint {
  key: string;
  processes: number;
  perSecond: number;
  /** The machine's CPU busy share over the run, 0–1 (both the workers and the database). */
  cpuBusy: number | null;
  dbCpuUsPerMessage: number | null;
  /** Share of sampled active database sessions waiting on a row or transaction lock (wait event type Lock), 0–1. */
  lockWaitShare: number;
  /** …on an internal lock (LWLock: WAL insertion, buffers, the lock manager), 0–1. */
  lwlockWaitShare: number;
  /** …on I/O (WAL writes and flushes at commit, data files), 0–1. */
  ioWaitShare: number;
  /** Messages handled, summed over the processes (a check: the whole queue). */
  handled: number;
}

/** What is left of each system's queue (through an index), and its sessions' wait events. */
const REMAINING: Record<string, string> = {
  table: `SELECT count(*)::int AS n FROM msgqueue_messages WHERE queue = 'default' AND status IN ('PENDING', 'PROCESSING', 'SENDING')`,
  pgboss: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'bench' AND state IN ('created', 'retry', 'active')`,
  graphile: 'SELECT count(*)::int AS n FROM graphile_worker._private_jobs',
};

/** Total and idle jiffies of the machine, from /proc/stat (null where there is none). */
function machineCpu(): { total: number; idle: number } | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3]! + (fields[4] ?? 0);
    return { total: fields.reduce((a, b) => a + b, 0), idle };
  } catch {
    return null;
  }
}

function lines(child: ChildProcessWithoutNullStreams, key: string, stderr: () => string) {
  const it = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return async (): Promise<Record<string, unknown>> => {
    for (;;) {
      const line = await it.next();
      if (line.done) throw new Error(`${key} worker ended: ${stderr().slice(-2000)}`);
      if (line.value.startsWith('{')) return JSON.parse(line.value) as Record<string, unknown>;
    }
  };
}

/** One point: `processes` workers of `system` drain `n` messages together. */
async function point(
  system: System,
  options: Record<string, number>,
  processes: number,
  urls: Urls,
  n: number,
  workerFile: string,
): Promise<CurvePoint> {
  const url = urls.postgresql!;
  await fill(system, urls, n);
  const children = Array.from({ length: processes }, () => {
    const child = spawn(
      process.execPath,
      [workerFile, system.key, url, String(n), JSON.stringify({ ...system.options, ...options, curve: 1 })],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    return { child, next: lines(child, system.key, () => err) };
  });
  await Promise.all(children.map((c) => c.next())); // ready
  const watcher = new pg.Client({ connectionString: url });
  await watcher.connect();
  const db0 = serverCpu();
  const m0 = machineCpu();
  const started = Date.now();
  for (const c of children) c.child.stdin.write('go\n');
  const waits = { Lock: 0, LWLock: 0, IO: 0 };
  let active = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    const { rows } = await watcher.query<{ n: number }>(REMAINING[system.kind]!);
    const sessions = await watcher.query<{ type: string | null }>(
      `SELECT wait_event_type AS type FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
    );
    active += sessions.rows.length;
    for (const { type } of sessions.rows) if (type === 'Lock' || type === 'LWLock' || type === 'IO') waits[type]++;
    if (rows[0]!.n === 0) break;
  }
  for (const c of children) c.child.stdin.write('report\n');
  const reports = (await Promise.all(children.map((c) => c.next()))) as { count: number; lastAt: number }[];
  const m1 = machineCpu();
  const dbCpuMs = cpuBetween(db0, serverCpu());
  for (const c of children) c.child.stdin.end();
  await Promise.all(children.map((c) => new Promise((r) => c.child.once('exit', r))));
  await watcher.end();
  const ms = Math.max(...reports.map((r) => r.lastAt)) - started;
  return {
    key: system.key,
    processes,
    perSecond: n / (ms / 1000),
    cpuBusy: m0 && m1 ? 1 - (m1.idle - m0.idle) / (m1.total - m0.total) : null,
    dbCpuUsPerMessage: dbCpuMs === null ? null : (dbCpuMs * 1000) / n,
    lockWaitShare: active === 0 ? 0 : waits.Lock / active,
    lwlockWaitShare: active === 0 ? 0 : waits.LWLock / active,
    ioWaitShare: active === 0 ? 0 : waits.IO / active,
    handled: reports.reduce((a, r) => a + r.count, 0),
  };
}

/** The curve for every system at every process count, `rounds` times in a rotated order. */
export async function curveTable(
  urls: Urls,
  counts: number[],
  n: number,
  rounds: number,
  workerFile: string,
  log: (...a: unknown[]) => void,
): Promise<CurvePoint[]> {
  const out: CurvePoint[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const processes of counts) {
      const order = CURVE.map((_, i) => CURVE[(i + round + processes) % CURVE.length]!);
      for (const { key, options } of order) {
        const system = SYSTEMS.find((s) => s.key === key)!;
        const p = await point(system, options, processes, urls, n, workerFile);
        out.push(p);
        log(
          `curve ${key.padEnd(16)} ${String(processes).padStart(2)} processes ${Math.round(p.perSecond).toString().padStart(6)} msg/s  cpu ${p.cpuBusy === null ? '–' : `${Math.round(p.cpuBusy * 100)} %`}  db ${p.dbCpuUsPerMessage?.toFixed(0) ?? '–'} µs/msg  waits: locks ${Math.round(p.lockWaitShare * 100)} %, lwlocks ${Math.round(p.lwlockWaitShare * 100)} %, io ${Math.round(p.ioWaitShare * 100)} %  handled ${p.handled}`,
        );
      }
    }
  }
  return out;
}
