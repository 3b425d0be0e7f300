/** docs/performance.md from one bench run. */
import { barChart, lineChart } from './charts.js';
import type { CurvePoint } from './curve.js';
import type { OperatorRow } from './operators.js';
import type { ScaleRow } from './scale.js';
import { percentile } from './scale.js';
import type { System } from './systems.js';

export interface RunResult {
  key: string;
  ms: number;
  perSecond: number | null;
  rssMb: number;
  dbCpuUsPerMessage: number | null;
  workerCpuUsPerMessage: number | null;
  claimMs: number[];
}

interface Report {
  messages: number;
  rounds: number;
  loops: number;
  systems: System[];
  results: RunResult[];
  scale: ScaleRow[];
  curve: CurvePoint[];
  operators: OperatorRow[];
  machine: string;
  postgres: string;
  command: string;
}

/** The median: the middle value, or the mean of the middle two. */
const median = (xs: number[]) => {
  const sorted = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (x: number | null | undefined, digits = 0) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits));

/** docs/performance.md and the charts it shows (file name → SVG, written to docs/images/). */
export interface Rendered {
  markdown: string;
  charts: Record<string, string>;
}

export function renderReport(r: Report): Rendered {
  const charts: Record<string, string> = {};
  const of = (key: string) => r.results.filter((x) => x.key === key);
  const rate = (key: string) => median(of(key).map((x) => x.perSecond ?? Number.NaN));
  /** The ratio of two systems' rates, round by round (steadier than the ratio of medians), then the median. */
  const ratio = (a: string, b: string) => {
    const xs = of(a);
    const ys = of(b);
    const n = Math.min(xs.length, ys.length);
    return median(Array.from({ length: n }, (_, i) => (xs[i]!.perSecond ?? Number.NaN) / (ys[i]!.perSecond ?? Number.NaN)));
  };
  const rss = (key: string) => median(of(key).map((x) => x.rssMb));
  const lines: string[] = [];
  lines.push('---', 'title: Performance', '---', '', '# Performance', '');
  lines.push(
    `Measured by \`${r.command}\` on ${r.machine}, PostgreSQL ${r.postgres}: ${r.messages.toLocaleString('en')} no-op messages per run, one worker process with ${r.loops} loops (or the system's own concurrency), ${r.rounds} interleaved rounds. Figures are medians over the rounds; ratios are taken within each round, then the median. The machine is shared: read the ratios, not the absolute numbers.`,
    '',
  );
  const limitOf = (s: System) =>
    s.database === 'postgresql'
      ? String(s.options.limit ?? s.options.batchSize ?? s.options.localQueue ?? 10) === '50'
        ? 'pgbench-50'
        : 'pgbench-10'
      : null;
  lines.push(
    "| system | msg/s (median, min–max) | vs its baseline | vs the database's limit | worker RSS | database CPU per message | worker CPU per message | claim p50 / p99 |",
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of r.systems.filter((x) => x.kind !== 'client')) {
    const xs = of(s.key);
    if (xs.length === 0) continue;
    const rates = xs.map((x) => x.perSecond ?? 0);
    const claims = xs.flatMap((x) => x.claimMs);
    // The median ratio, and each round's: a noisy round shows.
    const rounds = (b: string) => {
      const xs2 = of(s.key);
      const ys = of(b);
      return Array.from({ length: Math.min(xs2.length, ys.length) }, (_, i) =>
        fmt((xs2[i]!.perSecond ?? Number.NaN) / (ys[i]!.perSecond ?? Number.NaN), 2),
      );
    };
    const base =
      s.baseline && of(s.baseline).length > 0
        ? `${fmt(ratio(s.key, s.baseline), 2)}× ${s.baseline} (rounds: ${rounds(s.baseline).join(', ')})`
        : '–';
    const limit = limitOf(s);
    const vsLimit = limit && limit !== s.key && of(limit).length > 0 ? `${fmt(ratio(s.key, limit), 2)}×` : '–';
    lines.push(
      `| \`${s.key}\` ${s.label} | ${fmt(rate(s.key))} (${fmt(Math.min(...rates))}–${fmt(Math.max(...rates))}) | ${base} | ${vsLimit} | ${Number.isNaN(rss(s.key)) ? '–' : `${fmt(rss(s.key))} MB`} | ${fmt(median(xs.map((x) => x.dbCpuUsPerMessage ?? Number.NaN)))} µs | ${fmt(median(xs.map((x) => x.workerCpuUsPerMessage ?? Number.NaN)))} µs | ${claims.length ? `${fmt(percentile(claims, 50), 2)} / ${fmt(percentile(claims, 99), 2)} ms` : '–'} |`,
    );
  }
  lines.push('', '### How each system ran', '', '| system | settings |', '| --- | --- |');
  for (const s of r.systems.filter((x) => x.kind !== 'client' && of(x.key).length > 0)) lines.push(`| \`${s.key}\` | ${s.settings} |`);
  lines.push(
    '',
    "MariaDB and SQLite rows are ours alone (the peers run on PostgreSQL only); SQLite's database CPU is the worker's own. pgbench's backends exit with it, so its database CPU is not read.",
  );
  const bars = r.systems
    .filter((x) => x.database === 'postgresql' && x.kind !== 'client' && of(x.key).length > 0)
    .map((x) => ({ label: x.key, value: rate(x.key), limit: x.kind === 'pgbench' }));
  if (bars.length > 0) {
    charts['bench-throughput.svg'] = barChart(
      "Messages per second on PostgreSQL (median of the rounds; hatched: the database's limit)",
      bars,
      'messages per second',
    );
    lines.push('', "![Messages per second of each system on PostgreSQL, the database's limit hatched](images/bench-throughput.svg)");
  }
  const clients = r.systems.filter((x) => x.kind === 'client' && of(x.key).length > 0);
  if (clients.length > 0) {
    lines.push('', '| a process that only opens a client | RSS |', '| --- | --- |');
    for (const s of clients) lines.push(`| ${s.label} | ${fmt(rss(s.key))} MB |`);
  }
  if (r.scale.length > 0) {
    lines.push(
      '',
      '## Scale: a table of history',
      '',
      'The table: 99 % SENT, 1 % PENDING spread through it, one row in a thousand FAILED and one in five thousand HELD; a dedupe key on every tenth row and 60-character payloads. Claims are of 10 (released after); diagnose is warm, the median of five.',
      '',
      '| rows | claim of 10, p50 | claim p99 | diagnose (node-postgres) |',
      '| --- | --- | --- | --- |',
    );
    for (const row of r.scale) {
      lines.push(
        `| ${row.rows.toLocaleString('en')} | ${fmt(row.claimP50Ms, 2)} ms | ${fmt(row.claimP99Ms, 2)} ms | ${fmt(row.diagnoseMs)} ms |`,
      );
    }
    const biggest = r.scale.at(-1)!;
    const clients = Object.entries(biggest.diagnoseByClientMs);
    if (clients.length > 0) {
      lines.push(
        '',
        `diagnose at ${biggest.rows.toLocaleString('en')} rows through each PostgreSQL client: ${clients.map(([k, v]) => `${k} ${fmt(v)} ms`).join(', ')}.`,
        biggest.estimated.length > 0
          ? `Estimated, not counted: ${biggest.estimated.join(', ')} (the planner's statistics, kept by ANALYZE and autovacuum; every other figure is exact, read through an index).`
          : 'Every figure counted exactly.',
      );
    }
  }
  if (r.curve.length > 0) lines.push(...curveSection(r.curve, charts));
  if (r.operators.length > 0) {
    const rows = Math.max(...r.operators.map((o) => o.rows));
    lines.push(
      '',
      `## Operator actions: ${rows.toLocaleString('en')} rows in one call`,
      '',
      'Each action on a table holding that many rows of the status it takes (mark sent: 10,000 ids, its most per call), through each client; retention is the time for ticks of a queue with `retention` to delete them. "Longest write" is the longest statement that changed rows, or transaction, the action held (what another writer could wait on); "longest read" the longest SELECT of its plan (a snapshot read: it blocks nobody).',
      '',
      '| client:database | action | rows | rows/s | longest write | longest read |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const o of r.operators) {
      lines.push(
        `| ${o.target} | ${o.action} | ${o.rows.toLocaleString('en')} | ${fmt(o.rowsPerSecond)} | ${fmt(o.longestWriteMs)} ms | ${fmt(o.longestReadMs)} ms |`,
      );
    }
  }
  lines.push('', '## Targets', '');
  const has = (k: string) => of(k).length > 0;
  const target = (ok: boolean | null, text: string) => lines.push(`- ${ok === null ? '–' : ok ? 'met' : '**missed**'}: ${text}`);
  for (const o of r.operators.filter((x) => x.target.endsWith(':postgresql'))) {
    target(o.rowsPerSecond >= 20_000, `${o.target} ${o.action} ≥ 20,000 rows/s — ${fmt(o.rowsPerSecond)}`);
  }
  if (r.operators.length > 0) {
    const longest = r.operators.reduce((a, b) => (b.longestWriteMs > a.longestWriteMs ? b : a));
    target(
      longest.longestWriteMs <= 1000,
      `operator actions hold no write (statement or transaction) longer than about a second — longest ${fmt(longest.longestWriteMs)} ms (${longest.target} ${longest.action})`,
    );
  }
  if (has('mq-hand-10') && has('raw-safe-10')) {
    const x = ratio('mq-hand-10', 'raw-safe-10');
    target(x >= 0.9, `per-message safe path ≥ 0.9× raw doing the same steps — ${fmt(x, 2)}×`);
  }
  for (const [mq, peers, raw] of [
    ['mq-tick-10', ['pgboss-10', 'graphile-10'], 'raw-batch-10'],
    ['mq-tick-50', ['pgboss-50', 'graphile-lq-50'], 'raw-batch-50'],
  ] as const) {
    if (!has(mq)) continue;
    for (const p of peers.filter(has)) target(ratio(mq, p) > 1, `${mq} ahead of ${p} — ${fmt(ratio(mq, p), 2)}×`);
    if (has(raw)) target(ratio(mq, raw) >= 0.8, `${mq} ≥ 0.8× ${raw} — ${fmt(ratio(mq, raw), 2)}×`);
  }
  if (has('mq-tick-10') && has('raw-batch-10')) {
    const added = rss('mq-tick-10') - rss('raw-batch-10');
    target(added <= 10, `the library adds ≤ 10 MB RSS over its node-postgres client (runOnce worker vs raw worker) — ${fmt(added, 1)} MB`);
    target(rss('mq-tick-10') <= 100, `a worker on node-postgres ≤ 100 MB — ${fmt(rss('mq-tick-10'))} MB`);
  }
  const first = r.scale[0];
  const last = r.scale.at(-1);
  if (first && last && last !== first) {
    target(
      last.claimP99Ms <= 2 * first.claimP99Ms,
      `claim p99 at ${last.rows.toLocaleString('en')} rows ≤ 2× at ${first.rows.toLocaleString('en')} — ${fmt(last.claimP99Ms / first.claimP99Ms, 2)}×`,
    );
    target(
      last.diagnoseMs < 100,
      `diagnose at ${last.rows.toLocaleString('en')} rows < 100 ms (node-postgres) — ${fmt(last.diagnoseMs)} ms`,
    );
    for (const [client, ms] of Object.entries(last.diagnoseByClientMs)) {
      target(ms < 100, `diagnose at ${last.rows.toLocaleString('en')} rows < 100 ms through ${client} — ${fmt(ms)} ms`);
    }
  }
  return { markdown: `${lines.join('\n')}\n`, charts };
}

/** The process-count curve: throughput by processes, what the machine and database did, where each flattens. */
function curveSection(points: CurvePoint[], charts: Record<string, string>): string[] {
  const keys = [...new Set(points.map((p) => p.key))];
  const counts = [...new Set(points.map((p) => p.processes))].sort((a, b) => a - b);
  const at = (key: string, n: number) => points.filter((p) => p.key === key && p.processes === n);
  const med = (xs: number[]) => median(xs.filter((x) => !Number.isNaN(x)));
  const rateAt = (key: string, n: number) => med(at(key, n).map((p) => p.perSecond));
  const lines = [
    '',
    '## Scaling out: worker processes on one database',
    '',
    "One queue drained by 1 to 16 worker processes at once, each small (two loops and two connections, or the peer's equivalent: pg-boss `localConcurrency: 2`, graphile-worker a pool of three), batch 50; the clock stops at the last message any process finished. Medians of the rounds. Beside the throughput: how busy the machine's two cores were (workers and database together), the database's CPU per message, and what the database's active sessions were waiting on when sampled every 100 ms: a row or transaction lock (`Lock`), an internal lock (`LWLock`: WAL insertion, buffers), or I/O (WAL flushes at commit).",
    '',
    `| processes | ${keys.map((k) => `\`${k}\` msg/s`).join(' | ')} |`,
    `| --- | ${keys.map(() => '---').join(' | ')} |`,
    ...counts.map((n) => `| ${n} | ${keys.map((k) => fmt(rateAt(k, n))).join(' | ')} |`),
    '',
    '| system | processes | msg/s | machine CPU busy | database CPU per message | sessions waiting: row locks / internal locks / I/O |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const k of keys) {
    for (const n of counts) {
      const xs = at(k, n);
      lines.push(
        `| \`${k}\` | ${n} | ${fmt(rateAt(k, n))} | ${fmt(med(xs.map((p) => (p.cpuBusy ?? Number.NaN) * 100)))} % | ${fmt(med(xs.map((p) => p.dbCpuUsPerMessage ?? Number.NaN)))} µs | ${fmt(med(xs.map((p) => p.lockWaitShare * 100)))} % / ${fmt(med(xs.map((p) => p.lwlockWaitShare * 100)))} % / ${fmt(med(xs.map((p) => p.ioWaitShare * 100)))} % |`,
      );
    }
  }
  lines.push('', 'Where each flattens, read from the figures above:', '');
  for (const k of keys) {
    const best = counts.reduce((a, n) => (rateAt(k, n) > rateAt(k, a) ? n : a), counts[0]!);
    const peak = at(k, best);
    const cpu = med(peak.map((p) => (p.cpuBusy ?? Number.NaN) * 100));
    const last = counts.at(-1)!;
    const tail = at(k, last);
    const share = (xs: CurvePoint[], f: (p: CurvePoint) => number) => fmt(med(xs.map((p) => f(p) * 100)));
    const why =
      `at ${best}: machine CPU ${fmt(cpu)} % busy, sessions waiting on row locks ${share(peak, (p) => p.lockWaitShare)} %, internal locks ${share(peak, (p) => p.lwlockWaitShare)} %, I/O ${share(peak, (p) => p.ioWaitShare)} %` +
      (last !== best
        ? `; at ${last}: CPU ${share(tail, (p) => p.cpuBusy ?? Number.NaN)} %, row locks ${share(tail, (p) => p.lockWaitShare)} %, internal locks ${share(tail, (p) => p.lwlockWaitShare)} %, I/O ${share(tail, (p) => p.ioWaitShare)} %, database CPU ${fmt(med(tail.map((p) => p.dbCpuUsPerMessage ?? Number.NaN)))} µs a message (${fmt(med(peak.map((p) => p.dbCpuUsPerMessage ?? Number.NaN)))} at ${best})`
        : '');
    lines.push(
      `- \`${k}\`: most at ${best} process${best === 1 ? '' : 'es'} (${fmt(rateAt(k, best))} msg/s; ${fmt(rateAt(k, last))} at ${last}); ${why}.`,
    );
  }
  charts['bench-processes.svg'] = lineChart(
    'Messages per second against worker processes (batch 50, one PostgreSQL)',
    counts.map((n) => ({ value: n, label: String(n) })),
    keys.map((k) => ({ name: k, points: counts.map((n) => ({ x: n, y: rateAt(k, n) })).filter((p) => !Number.isNaN(p.y)) })),
    { x: 'worker processes', y: 'messages per second' },
  );
  lines.push('', '![Messages per second against the number of worker processes, one line per system](images/bench-processes.svg)');
  return lines;
}
