/**
 * pnpm bench: msgqueue side by side with raw node-postgres, pg-boss and graphile-worker on one
 * PostgreSQL, in interleaved rounds (every system once per round, in a rotated order), then the
 * scale table. Prints the figures and writes docs/performance.md. Nothing here is a test: no time
 * is asserted, ratios within one run are what to read.
 *
 *   pnpm bench [--messages 40000] [--rounds 3] [--only key,key] [--scale 10000,100000,1000000]
 *              [--curve 1,2,4,8,16] [--curve-rounds 2]
 *   pnpm bench --soak 30m [--soak-settings recommended|default] [--soak-server private|shared]
 *   pnpm bench --latency 200   (enqueue → send on an idle queue.work: LISTEN/NOTIFY, and polling)
 *                                          (the soak alone, on a server of its own: docs/soak.md)
 *              [--operators 100000] [--operator-targets pg:postgresql,prisma:mysql,…] [--no-write]
 *
 * PostgreSQL: DATABASE_URL's server, else the local one (127.0.0.1:5432); a private database is
 * created and dropped. The operator table also runs on MariaDB (MARIADB_URL, else the local one,
 * skipped when unreachable) and SQLite (a temporary file); `--operators 0` skips it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { canStartPrivateServer, generateClients, startPrivateServer } from '@org/msgqueue-test-support';
import { build } from 'esbuild';
import { type CurvePoint, curveTable } from './curve.js';
import { cpuBetween, privateDatabase, privateMysqlDatabase, serverCpu, serverVersion } from './db.js';
import { fill, type Urls } from './fill.js';
import { enqueueCost, latency } from './latency.js';
import { type OperatorRow, operatorTable } from './operators.js';
import { hasPgbench, pgbench } from './pgbench.js';
import { type RunResult, renderReport } from './report.js';
import { type ScaleRow, scaleTable } from './scale.js';
import { parseDuration, renderSoak, soak, verdicts, withKeptSections } from './soak.js';
import { CLIENT_ONLY, LOOPS, SYSTEMS, type System } from './systems.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '3' },
    only: { type: 'string' },
    scale: { type: 'string', default: '10000,100000,1000000' },
    operators: { type: 'string', default: '100000' },
    curve: { type: 'string', default: '1,2,4,8,16' },
    soak: { type: 'string' },
    latency: { type: 'string' },
    'soak-settings': { type: 'string', default: 'recommended' },
    'soak-server': { type: 'string', default: 'private' },
    'curve-rounds': { type: 'string', default: '2' },
    'operator-targets': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const messages = Number(values.messages);
const rounds = Number(values.rounds);
const only = values.only?.split(',');
const systems = SYSTEMS.filter((s) => !only || only.includes(s.key));
const log = (...a: unknown[]) => process.stdout.write(`${a.join(' ')}\n`);

// The Prisma clients the Prisma systems open (a fresh clone has not generated them yet).
generateClients();

/**
 * The worker, bundled to plain JavaScript once (our packages from their sources, the peers and
 * drivers left as imports), so a worker's memory and CPU are its own, not a TypeScript loader's.
 */
const workerFile = new URL('../.build/worker.mjs', import.meta.url).pathname;
const soakWorkerFile = new URL('../.build/soak-worker.mjs', import.meta.url).pathname;
await build({
  entryPoints: {
    worker: new URL('./worker.ts', import.meta.url).pathname,
    'soak-worker': new URL('./soak-worker.ts', import.meta.url).pathname,
  },
  outdir: new URL('../.build/', import.meta.url).pathname,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  conditions: ['source'],
  // Drivers and peers stay imports; our own packages (and the generated Prisma client) are bundled.
  external: ['pg', 'pg-boss', 'graphile-worker', '@prisma/*', 'mysql2', 'kysely', 'better-sqlite3'],
  logLevel: 'warning',
});

/** The server processes whose CPU a system's run is charged, by database (SQLite runs in the worker). */
const SERVER: Record<System['database'], readonly string[] | null> = {
  postgresql: ['postgres'],
  mysql: ['mariadbd', 'mysqld'],
  sqlite: null,
};

/** Run one system once: fill, start its worker, time the drain, read the server's CPU around it. */
async function runOnce(system: System, urls: Urls, n: number): Promise<RunResult> {
  await fill(system, urls, n);
  const url = urls[system.database]!;
  const names = SERVER[system.database];
  if (system.kind === 'pgbench') {
    // Its backends exit with it, before a second reading of their CPU could be taken: no CPU figure.
    const { ms } = pgbench(url, Number(system.options.limit), n);
    return {
      key: system.key,
      ms,
      perSecond: n / (ms / 1000),
      rssMb: Number.NaN,
      dbCpuUsPerMessage: null,
      workerCpuUsPerMessage: null,
      claimMs: [],
    };
  }
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
      workerFile,
      system.key,
      url,
      String(n),
      JSON.stringify(system.options),
    ],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    for (;;) {
      const line = await lines.next();
      if (line.done) throw new Error(`${system.key} worker ended: ${stderr.slice(-2000)}`);
      if (line.value.startsWith('{')) return JSON.parse(line.value) as Record<string, unknown>; // other lines: a library's logs
    }
  };
  await next(); // ready
  const before = names ? serverCpu(names) : null;
  child.stdin.write('go\n');
  const done = (await next()) as { ms: number; rssMb: number; cpuMs: number; claimMs: number[] };
  const after = names ? serverCpu(names) : null;
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  const dbCpuMs = cpuBetween(before, after);
  return {
    key: system.key,
    ms: done.ms,
    perSecond: system.kind === 'client' ? null : n / (done.ms / 1000),
    rssMb: done.rssMb,
    dbCpuUsPerMessage: dbCpuMs === null || system.kind === 'client' ? null : (dbCpuMs * 1000) / n,
    workerCpuUsPerMessage: system.kind === 'client' ? null : (done.cpuMs * 1000) / n,
    claimMs: done.claimMs,
  };
}

if (values.latency) {
  const db = await privateDatabase();
  try {
    for (const r of await latency(db.url, Number(values.latency))) {
      log(
        `latency ${r.mode.padEnd(6)} ${r.messages} messages: enqueue → send p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms`,
      );
    }
    const cost = await enqueueCost(db.url, 2000);
    for (const r of cost) {
      log(`enqueue, 4 producers, notify ${r.notify ? 'on ' : 'off'}: ${r.rounds.map((x) => `${Math.round(x)}/s`).join(', ')}`);
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    log(
      `notify costs enqueue ${((1 - mean(cost[1]!.rounds) / mean(cost[0]!.rounds)) * 100).toFixed(1)} % of its throughput (mean of 3 rounds)`,
    );
  } finally {
    await db.drop();
  }
  process.exit(0);
}

if (values.soak) {
  // The soak alone: its own server (with autovacuum on, as production has it) where one can be
  // started, else a private database on DATABASE_URL's server; its own report.
  const server = values['soak-server'] !== 'shared' && canStartPrivateServer() ? await startPrivateServer() : null;
  const soakDb = server ? { url: server.url, drop: async () => server.stop() } : await privateDatabase();
  try {
    const settings = values['soak-settings'] === 'default' ? 'default' : 'recommended';
    const result = await soak(soakDb.url, parseDuration(values.soak), settings, soakWorkerFile, log);
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}${server ? ', a PostgreSQL server of its own' : ''}`;
    const rendered = renderSoak(result, `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(), machine);
    if (!values['no-write']) {
      const file = new URL('../../docs/soak.md', import.meta.url);
      writeFileSync(file, withKeptSections(rendered.markdown, existsSync(file) ? readFileSync(file, 'utf8') : ''));
      mkdirSync(new URL('../../docs/images/', import.meta.url), { recursive: true });
      for (const [file, svg] of Object.entries(rendered.charts)) writeFileSync(new URL(`../../docs/images/${file}`, import.meta.url), svg);
    }
    log(rendered.markdown);
    const v = verdicts(result);
    log(
      `soak ${v.passed ? 'passed' : 'FAILED'}: p99 ${v.p99Ratio.toFixed(2)}× (last ${v.five} min vs first), size growth over the last third ${(v.sizeGrowth * 100).toFixed(1)} %`,
    );
  } finally {
    await soakDb.drop();
  }
  process.exit(0);
}

const db = await privateDatabase();
// MariaDB for its rows (and the operator table), when one answers; SQLite in a temporary file.
const mysql =
  systems.some((s) => s.database === 'mysql') || Number(values.operators) > 0
    ? await privateMysqlDatabase().catch((e: unknown) => {
        log(`no MariaDB/MySQL (${(e as Error).message}): its rows are skipped`);
        return null;
      })
    : null;
const sqliteDir = mkdtempSync(join(tmpdir(), 'msgqueue-bench-'));
const urls: Urls = { postgresql: db.url, mysql: mysql?.url ?? null, sqlite: `file:${join(sqliteDir, 'bench.db')}` };
const pgbenchThere = hasPgbench();
if (!pgbenchThere) log("pgbench is not installed (PostgreSQL's client tools): the database's-limit rows are skipped");
const runnable = systems.filter((s) => urls[s.database] !== null && (s.kind !== 'pgbench' || pgbenchThere));
const results: RunResult[] = [];
let scale: ScaleRow[] = [];
let curve: CurvePoint[] = [];
let operators: OperatorRow[] = [];
try {
  log(`msgqueue bench: ${messages} no-op messages per run, ${rounds} rounds, ${LOOPS} loops in one worker process`);
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round, so no system always runs on a warm (or cold) server.
    const order = runnable.map((_, i) => runnable[(i + round) % runnable.length]!);
    for (const system of order) {
      const r = await runOnce(system, urls, messages);
      results.push(r);
      log(
        `round ${round + 1}  ${system.key.padEnd(18)} ${Math.round(r.perSecond!).toString().padStart(6)} msg/s  ${fmtMb(r.rssMb)}  db ${r.dbCpuUsPerMessage?.toFixed(0) ?? '–'} µs/msg  worker ${r.workerCpuUsPerMessage?.toFixed(0) ?? '–'} µs/msg`,
      );
    }
  }
  if (!only) {
    for (const system of CLIENT_ONLY) {
      const r = await runOnce(system, urls, 0);
      results.push(r);
      log(`client   ${system.key.padEnd(16)} ${r.rssMb.toFixed(0).padStart(4)} MB`);
    }
  }
  const counts = values.curve ? values.curve.split(',').filter(Boolean).map(Number) : [];
  if (counts.length > 0 && (!only || process.argv.some((a) => a.startsWith('--curve')))) {
    curve = await curveTable(urls, counts, messages, Number(values['curve-rounds']), workerFile, log);
  }
  const sizes = values.scale ? values.scale.split(',').filter(Boolean).map(Number) : [];
  if (sizes.length > 0) {
    scale = await scaleTable(db.url, sizes, log);
  }
  const operatorRows = Number(values.operators);
  if (operatorRows > 0) {
    const targets = values['operator-targets']?.split(',');
    operators = await operatorTable({ postgresql: db.url, mysql: mysql?.url ?? null, sqlite: '' }, operatorRows, targets, log);
  }
  const report = renderReport({
    messages,
    rounds,
    loops: LOOPS,
    systems: [...runnable, ...(only ? [] : CLIENT_ONLY)],
    results,
    scale,
    curve,
    operators,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    postgres: await serverVersion(db.url),
    command: `pnpm bench ${process.argv.slice(2).join(' ')}`.trim(),
  });
  if (!values['no-write'] && !only) {
    writeFileSync(new URL('../../docs/performance.md', import.meta.url), report.markdown);
    mkdirSync(new URL('../../docs/images/', import.meta.url), { recursive: true });
    for (const [file, svg] of Object.entries(report.charts)) writeFileSync(new URL(`../../docs/images/${file}`, import.meta.url), svg);
  }
  log('');
  log(report.markdown);
} finally {
  await db.drop();
  await mysql?.drop();
  rmSync(sqliteDir, { recursive: true, force: true });
}

function fmtMb(mb: number): string {
  return Number.isNaN(mb) ? '    –' : `${mb.toFixed(0).padStart(4)} MB`;
}
