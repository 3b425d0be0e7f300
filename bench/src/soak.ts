/**
 * `pnpm bench --soak 30m`: hours of a queue in minutes. Producers and consumers run together at
 * about 70 % of the measured maximum with history deleted as it ages, and every minute the report
 * says what a table queue is known to suffer from over time: throughput, claim p50/p99, table and
 * index size, dead tuples, autovacuum runs, the backlog. It passes when claim p99 in the last five
 * minutes is at most 1.5× the first five and the table's size levels off (its last third grows
 * less than a tenth). Writes docs/soak.md and docs/images/bench-soak-*.svg.
 *
 * The maximum: what the producer, unthrottled, and the consumers sustain together, measured first.
 * The table carries the recommended storage settings (`TABLE_SETTINGS`), or PostgreSQL's defaults
 * with `--soak-settings default`.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { schemaSql, splitStatements } from '@org/msgqueue-sql';
import pg from 'pg';
import { lineChart } from './charts.js';
import { percentile } from './scale.js';

/** A minute of the soak. */
export interface SoakMinute {
  minute: number;
  enqueued: number;
  sent: number;
  purged: number;
  claimP50Ms: number;
  claimP99Ms: number;
  backlog: number;
  tableMb: number;
  indexMb: number;
  deadTuples: number;
  autovacuums: number;
}

export interface SoakResult {
  minutes: SoakMinute[];
  maxPerSecond: number;
  ratePerSecond: number;
  settings: 'recommended' | 'default';
  retentionMs: number;
  /** The server's settings that matter over time, as read from it. */
  server: string;
}

const CONSUMERS = 2;
const RETENTION_MS = 5 * 60_000;

/** Parse `30m`, `90s`, `2h` (or plain minutes). */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--soak: expected a duration such as 30m, got ${text}`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'm') as 's' | 'm' | 'h'];
}

interface Child {
  child: ChildProcessWithoutNullStreams;
  reports: { role: string; done: number; claims: number[] }[];
  ready: Promise<void>;
}

function start(workerFile: string, role: string, url: string, options: Record<string, number>): Child {
  const child = spawn(process.execPath, [workerFile, role, url, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const reports: Child['reports'] = [];
  let ready!: () => void;
  const readyP = new Promise<void>((r) => {
    ready = r;
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return;
    const o = JSON.parse(line) as { ready?: boolean; role: string; done: number; claims: number[] };
    if (o.ready) ready();
    else reports.push(o);
  });
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`soak ${role} exited ${code}: ${stderr.slice(-2000)}\n`);
  });
  return { child, reports, ready: readyP };
}

async function stop(children: Child[]): Promise<void> {
  for (const c of children) c.child.stdin.end();
  await Promise.all(children.map((c) => new Promise((r) => (c.child.exitCode !== null ? r(null) : c.child.once('exit', r)))));
}

/**
 * The storage settings recommended for a queue table: vacuum after 1 % of the rows changed (not
 * 20 %), unthrottled, and analyze as often — a queue rewrites its live rows every few seconds, so
 * the default thresholds let dead index entries pile up in front of the claim.
 */
export const TABLE_SETTINGS =
  'autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 10000, autovacuum_vacuum_insert_scale_factor = 0.01, autovacuum_analyze_scale_factor = 0.01, autovacuum_vacuum_cost_delay = 0';

async function applySettings(db: pg.Client, settings: SoakResult['settings']): Promise<void> {
  if (settings === 'recommended') await db.query(`ALTER TABLE msgqueue_messages SET (${TABLE_SETTINGS})`);
}

export async function soak(
  url: string,
  durationMs: number,
  settings: SoakResult['settings'],
  workerFile: string,
  log: (...a: unknown[]) => void,
): Promise<SoakResult> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    for (const s of [
      'DROP TABLE IF EXISTS msgqueue_messages',
      'DROP TABLE IF EXISTS msgqueue_locks',
      'DROP TABLE IF EXISTS msgqueue_gates',
    ])
      await db.query(s);
    for (const s of splitStatements(schemaSql('postgresql'))) await db.query(s);
    await applySettings(db, settings);

    // The maximum: the producer as fast as it goes and the consumers together, for 20 s after 10 s
    // of warming up; what the consumers send is what the pair sustains.
    const calibration = [
      start(workerFile, 'producer', url, { rate: Number.POSITIVE_INFINITY }),
      ...Array.from({ length: CONSUMERS }, () => start(workerFile, 'consumer', url, {})),
    ];
    await Promise.all(calibration.map((c) => c.ready));
    await new Promise((r) => setTimeout(r, 10_000));
    for (const c of calibration) c.reports.splice(0);
    await new Promise((r) => setTimeout(r, 20_000));
    const sentInWindow = calibration
      .slice(1)
      .flatMap((c) => c.reports.splice(0))
      .reduce((a, r) => a + r.done, 0);
    const enqueuedInWindow = calibration[0]!.reports.splice(0).reduce((a, r) => a + r.done, 0);
    await stop(calibration);
    const maxPerSecond = Math.min(sentInWindow, enqueuedInWindow) / 20;
    const ratePerSecond = Math.round(maxPerSecond * 0.7);
    log(
      `soak: producer and ${CONSUMERS} consumers together sustain ${Math.round(maxPerSecond)} msg/s (enqueued ${Math.round(enqueuedInWindow / 20)}/s, sent ${Math.round(sentInWindow / 20)}/s); running at ${ratePerSecond} msg/s for ${durationMs / 60_000} min`,
    );
    await db.query('TRUNCATE msgqueue_messages');
    await db.query('VACUUM ANALYZE msgqueue_messages');

    const producer = start(workerFile, 'producer', url, { rate: ratePerSecond });
    const consumers = Array.from({ length: CONSUMERS }, () => start(workerFile, 'consumer', url, {}));
    const retention = start(workerFile, 'retention', url, { retentionMs: RETENTION_MS });
    const all = [producer, ...consumers, retention];
    await Promise.all(all.map((c) => c.ready));
    const minutes: SoakMinute[] = [];
    const began = Date.now();
    const vacuums0 = await stats(db);
    for (let minute = 1; minute * 60_000 <= durationMs; minute++) {
      const wait = began + minute * 60_000 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const take = (c: Child) => c.reports.splice(0);
      const made = take(producer);
      const worked = consumers.flatMap(take);
      const purged = take(retention);
      const claims = worked.flatMap((r) => r.claims);
      const s = await stats(db);
      const m: SoakMinute = {
        minute,
        enqueued: made.reduce((a, r) => a + r.done, 0),
        sent: worked.reduce((a, r) => a + r.done, 0),
        purged: purged.reduce((a, r) => a + r.done, 0),
        claimP50Ms: percentile(claims, 50),
        claimP99Ms: percentile(claims, 99),
        backlog: s.backlog,
        tableMb: s.tableMb,
        indexMb: s.indexMb,
        deadTuples: s.deadTuples,
        autovacuums: s.autovacuums - vacuums0.autovacuums,
      };
      minutes.push(m);
      log(
        `soak minute ${String(minute).padStart(3)}: ${Math.round(m.sent / 60)} msg/s sent (${Math.round(m.enqueued / 60)} enqueued), claim p50 ${m.claimP50Ms.toFixed(2)} ms p99 ${m.claimP99Ms.toFixed(2)} ms, backlog ${m.backlog}, table ${m.tableMb.toFixed(0)} MB + indexes ${m.indexMb.toFixed(0)} MB, dead tuples ${m.deadTuples}, autovacuum runs ${m.autovacuums}`,
      );
    }
    await stop(all);
    const { rows: conf } = await db.query<{ v: string; av: string; nap: string; workers: string }>(
      "SELECT current_setting('server_version') AS v, current_setting('autovacuum') AS av, current_setting('autovacuum_naptime') AS nap, current_setting('autovacuum_max_workers') AS workers",
    );
    const c = conf[0]!;
    const server = `PostgreSQL ${c.v}, autovacuum ${c.av} (naptime ${c.nap}, ${c.workers} workers)`;
    return { minutes, maxPerSecond, ratePerSecond, settings, retentionMs: RETENTION_MS, server };
  } finally {
    await db.end();
  }
}

async function stats(db: pg.Client) {
  const { rows } = await db.query<{ table: string; index: string; dead: string; vacuums: string; backlog: number }>(
    `SELECT pg_table_size('msgqueue_messages') AS table, pg_indexes_size('msgqueue_messages') AS index,
            n_dead_tup AS dead, autovacuum_count AS vacuums,
            (SELECT count(*)::int FROM msgqueue_messages WHERE queue = 'default' AND status = 'PENDING') AS backlog
     FROM pg_stat_user_tables WHERE relname = 'msgqueue_messages'`,
  );
  const r = rows[0]!;
  return {
    tableMb: Number(r.table) / 2 ** 20,
    indexMb: Number(r.index) / 2 ** 20,
    deadTuples: Number(r.dead),
    autovacuums: Number(r.vacuums),
    backlog: r.backlog,
  };
}

/** The verdicts: claim p99 of the last five minutes against the first five; the table's growth in its last third. */
export function verdicts(r: SoakResult) {
  const m = r.minutes;
  const five = Math.min(5, Math.floor(m.length / 2)) || 1;
  const p99 = (xs: SoakMinute[]) =>
    percentile(
      xs.map((x) => x.claimP99Ms),
      50,
    );
  const first = p99(m.slice(0, five));
  const last = p99(m.slice(-five));
  const size = (x: SoakMinute) => x.tableMb + x.indexMb;
  const third = Math.max(1, Math.floor(m.length / 3));
  const atTwoThirds = size(m[m.length - third - 1] ?? m[0]!);
  const atEnd = size(m.at(-1)!);
  const growth = atTwoThirds > 0 ? (atEnd - atTwoThirds) / atTwoThirds : 0;
  return { five, firstP99: first, lastP99: last, p99Ratio: last / first, sizeGrowth: growth, passed: last <= 1.5 * first && growth < 0.1 };
}

/** docs/soak.md and its charts. */
export function renderSoak(r: SoakResult, command: string, machine: string): { markdown: string; charts: Record<string, string> } {
  const v = verdicts(r);
  const lines = [
    '---',
    'title: Soak',
    '---',
    '',
    '# Soak: a queue over time',
    '',
    `Measured by \`${command}\` on ${machine}; ${r.server}. One producer enqueues ${r.ratePerSecond.toLocaleString('en')} messages a second — 70 % of the ${Math.round(r.maxPerSecond).toLocaleString('en')} a second the producer and ${CONSUMERS} consumers sustained together just before, the producer unthrottled — while ${CONSUMERS} consumers run ticks back to back (batch 50, concurrency 50, recycling on) and a retention process deletes SENT messages older than ${r.retentionMs / 60_000} minutes (\`purge\`, as an operator's cron would: the \`retention\` option's floor is an hour, longer than a soak). The table has ${r.settings === 'recommended' ? `the recommended storage settings: \`${TABLE_SETTINGS}\`` : "PostgreSQL's default storage settings"}.`,
    '',
    `**${v.passed ? 'Passed' : 'Failed'}.** Claim p99 over the last ${v.five} minutes: ${v.lastP99.toFixed(2)} ms, against ${v.firstP99.toFixed(2)} ms over the first ${v.five} (${v.p99Ratio.toFixed(2)}×; the bar is 1.5×). The table and its indexes grew ${(v.sizeGrowth * 100).toFixed(1)} % over the last third of the run (the bar: under 10 %).`,
    '',
    '| minute | sent/s | enqueued/s | purged | claim p50 | claim p99 | backlog | table | indexes | dead tuples | autovacuum runs (total) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.minutes.map(
      (m) =>
        `| ${m.minute} | ${Math.round(m.sent / 60).toLocaleString('en')} | ${Math.round(m.enqueued / 60).toLocaleString('en')} | ${m.purged.toLocaleString('en')} | ${m.claimP50Ms.toFixed(2)} ms | ${m.claimP99Ms.toFixed(2)} ms | ${m.backlog.toLocaleString('en')} | ${m.tableMb.toFixed(0)} MB | ${m.indexMb.toFixed(0)} MB | ${m.deadTuples.toLocaleString('en')} | ${m.autovacuums} |`,
    ),
    '',
    '![Claim p50 and p99 per minute of the soak](images/bench-soak-claims.svg)',
    '',
    '![Table and index size per minute of the soak](images/bench-soak-size.svg)',
    '',
  ];
  const xs = r.minutes.map((m) => ({ value: m.minute, label: m.minute % 5 === 0 || m.minute === 1 ? String(m.minute) : '' }));
  return {
    markdown: `${lines.join('\n')}\n`,
    charts: {
      'bench-soak-claims.svg': lineChart(
        'Claim latency per minute of the soak',
        xs,
        [
          { name: 'claim p99 (ms)', points: r.minutes.map((m) => ({ x: m.minute, y: m.claimP99Ms })) },
          { name: 'claim p50 (ms)', points: r.minutes.map((m) => ({ x: m.minute, y: m.claimP50Ms })) },
        ],
        { x: 'minute', y: 'milliseconds' },
      ),
      'bench-soak-size.svg': lineChart(
        'Table and index size per minute of the soak',
        xs,
        [
          { name: 'table (MB)', points: r.minutes.map((m) => ({ x: m.minute, y: m.tableMb })) },
          { name: 'indexes (MB)', points: r.minutes.map((m) => ({ x: m.minute, y: m.indexMb })) },
        ],
        { x: 'minute', y: 'megabytes' },
      ),
    },
  };
}

/** Below this line of docs/soak.md, what people wrote (other runs, compared by hand): a new soak keeps it. */
const KEEP_BELOW = '<!-- pnpm bench --soak rewrites what is above this line and keeps what is below it. -->';

/** The freshly rendered report, followed by the kept part of the old one (from its marker on). */
export function withKeptSections(fresh: string, old: string): string {
  const at = old.indexOf(KEEP_BELOW);
  return at === -1 ? fresh : `${fresh.trimEnd()}\n\n${old.slice(at)}`;
}
