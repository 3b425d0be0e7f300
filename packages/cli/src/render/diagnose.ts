import { type DiagnoseReport, type Finding, MESSAGE_STATUSES, type MessageSummary } from '@org/msgqueue';
import pc from 'picocolors';
import { formatDuration } from '../duration.js';
import { clip, table } from './table.js';

const SEVERITY = { alert: pc.red('ALERT'), warning: pc.yellow('warn'), info: pc.dim('info') } as const;

/** A report as a person reads it: the verdict, the counts, the findings, then sample rows. */
export function renderReport(r: DiagnoseReport): string {
  const verdict = r.healthy ? pc.green('healthy') : pc.red(pc.bold('NEEDS ATTENTION'));
  const lines = [`${pc.bold(`queue ${r.queue}`)} · ${r.adapter} · ${r.deliveryMode} · ${r.at.toISOString()} · ${verdict}`];
  // An estimated count (SENT on a large PostgreSQL table) reads ≈, and so does the total.
  const approx = (n: number, estimated: boolean) => (estimated ? `≈${n}` : n);
  const estimated = r.estimated ?? [];
  lines.push(
    table(
      [...MESSAGE_STATUSES, 'total'],
      [[...MESSAGE_STATUSES.map((s) => approx(r.counts[s], estimated.includes(s))), approx(r.total, estimated.length > 0)]],
    ),
  );
  const facts = [
    ['oldest pending', r.oldestPendingAgeMs === null ? '–' : formatDuration(r.oldestPendingAgeMs)],
    ['due now', r.duePending],
    ['in flight, lease expired', r.expiredInFlight],
    [`in flight > ${formatDuration(r.thresholds.inFlightMs)}`, r.inFlightTooLong],
    ['in flight without a lease', r.orphanedInFlight],
    [`failed in ${formatDuration(r.thresholds.failedWindowMs)} (alert above ${r.thresholds.failedThreshold})`, r.failedInWindow],
    ['to resend, possibly sent', r.possiblySentPending],
    ['held for review', r.heldForReview],
    ...(r.throughput
      ? ([[`sent / failed in the last ${formatDuration(r.throughput.windowMs)}`, `${r.throughput.sent} / ${r.throughput.failed}`]] as const)
      : []),
    ['duplicate dedupe keys', r.duplicateDedupeKeys],
    ['gates closed (paused or held)', gatesOf(r)],
    ['at their rate limit', limitsOf(r)],
  ] as const;
  lines.push(facts.map(([k, v]) => `  ${k.padEnd(44)}${v}`).join('\n'));
  if (r.findings.length > 0) {
    lines.push(
      r.findings.map((f) => `  ${SEVERITY[f.severity]} ${f.code}: ${f.message}\n      ${pc.dim('→')} ${advice(f, r.queue)}`).join('\n'),
    );
  }
  for (const [label, rows] of [
    ['expired in flight', r.samples.expiredInFlight],
    ['in flight without a lease', r.samples.orphanedInFlight],
    ['held for review', r.samples.held],
    ['failed (newest first)', r.samples.failed],
  ] as const) {
    if (rows.length > 0) lines.push(`${pc.bold(label)}\n${samples(rows, r.at)}`);
  }
  return lines.join('\n\n');
}

/** What to do, in the CLI's commands where one does it (the report's own advice names the queue's API). */
function advice(f: Finding, queue: string): string {
  const q = queue === 'default' ? '' : ` --queue ${queue}`;
  switch (f.code) {
    case 'HELD_FOR_REVIEW':
      return `check with the provider, then \`msgqueue${q} mark-sent <ids> --execute\` for those that arrived and \`msgqueue${q} retry --status HELD --ids <ids> --execute\` for the others`;
    case 'FAILED_ABOVE_THRESHOLD':
      return `read their last errors below; once the cause is fixed, \`msgqueue${q} retry --status FAILED --execute\` (a dry run without --execute)`;
    case 'IN_FLIGHT_TOO_LONG':
      return `is a cron tick running (it recycles them)? If their worker is dead, \`msgqueue${q} release-stuck --ids <ids> --force --execute\``;
    case 'ORPHANED_IN_FLIGHT':
      return `${f.advice} To decide now instead: \`msgqueue${q} release-stuck --older-than 0s --sending resend|hold|sent --execute\``;
    case 'QUEUE_PAUSED':
      return `\`msgqueue${q} resume\` once the cause is gone`;
    case 'GROUPS_GATED':
      return `\`msgqueue${q} gates\` lists them; \`msgqueue${q} resume --key <key>\` resumes a paused one`;
    case 'GROUP_BLOCKED':
      return `\`msgqueue${q} retry --status FAILED,HELD --ids <id> --execute\` lets the group go on`;
    default:
      return f.advice;
  }
}

/** The closed gates in a few words: `queue paused, 2 keys`. */
function gatesOf(r: DiagnoseReport): string {
  const gates = r.gates ?? [];
  if (gates.length === 0) return 'none';
  const own = gates.find((g) => g.key === null);
  const keys = gates.length - (own ? 1 : 0);
  const parts = [
    own
      ? `queue ${[own.paused ? 'paused' : null, own.pausedUntil && own.pausedUntil > r.at ? 'held' : null].filter(Boolean).join(' and ')}`
      : null,
    keys > 0 ? `${keys} group key(s)` : null,
  ];
  return parts.filter(Boolean).join(', ');
}

/** The queue and keys at their rate limit in a few words: `queue (next in 340 ms), 3 key(s)`. */
function limitsOf(r: DiagnoseReport): string {
  const at = r.atRateLimit ?? [];
  if (at.length === 0) return 'none';
  const own = at.find((a) => a.key === null);
  const keys = at.length - (own ? 1 : 0);
  return [
    own
      ? `queue (${own.max} per ${formatDuration(own.perMs)}, next in ${formatDuration(Math.max(0, own.nextFreeAt.getTime() - r.at.getTime()))})`
      : null,
    keys > 0 ? `${keys} key(s)` : null,
  ]
    .filter(Boolean)
    .join(', ');
}

function samples(rows: MessageSummary[], at: Date): string {
  return table(
    ['id', 'status', 'attempts', 'changed', 'possibly sent', 'last error'],
    rows.map((m) => [
      m.id,
      m.status,
      m.attempts,
      `${formatDuration(at.getTime() - m.updatedAt.getTime())} ago`,
      m.possiblySent ? 'yes' : 'no',
      clip(m.lastError, 60),
    ]),
  );
}
