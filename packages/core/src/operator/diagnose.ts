import { type AlertOptions, type ResolvedOptions, resolveAlerts } from '../config/options.js';
import { checkOptions, int } from '../config/validate.js';
import type { StorageSnapshot } from '../contract/adapter.js';
import type { DiagnoseReport, Finding } from '../contract/results.js';
import { gateFindings, gates } from '../flow/gates.js';
import { atRateLimit, rateFindings, slotsInUse } from '../flow/rate-limit.js';
import { callHook } from '../observability/hooks.js';
import { summaryOf } from './find.js';

/** The window `throughput` counts over: the last hour. */
const THROUGHPUT_WINDOW_MS = 3_600_000;

/**
 * Options of {@link Queue.diagnose}.
 *
 * @category Operations
 */
export interface DiagnoseOptions {
  /** Sample rows per problem list. Default 10. */
  sampleSize?: number;
  /** Thresholds for this report only (an operator's `--failed-threshold`); absent ones are the queue's. */
  alerts?: AlertOptions;
}

/** Read the queue's state and explain it. Read-only. */
export async function diagnose(queueCtx: ResolvedOptions, options?: DiagnoseOptions): Promise<DiagnoseReport> {
  const o = checkOptions<DiagnoseOptions>(options, 'diagnose.options', ['sampleSize', 'alerts']);
  const sampleSize = int(o.sampleSize, 'diagnose.options.sampleSize', 0, 1000, 10);
  const ctx =
    o.alerts === undefined ? queueCtx : { ...queueCtx, alerts: resolveAlerts(o.alerts, 'diagnose.options.alerts', queueCtx.alerts) };
  // Reads side by side: the gates and rate-limit slots are not part of the counts' snapshot.
  const [snap, { gates: closed }, slots] = await Promise.all([
    ctx.adapter.snapshot({
      queue: ctx.name,
      inFlightAlertMs: ctx.alerts.inFlightMs,
      failedWindowMs: ctx.alerts.failedWindowMs,
      throughputWindowMs: THROUGHPUT_WINDOW_MS,
      sampleSize,
      groupPolicy: ctx.groupFailurePolicy,
    }),
    gates(ctx),
    slotsInUse(ctx),
  ]);
  const limited = atRateLimit(ctx.rateLimits, slots);
  const findings = [
    ...findingsOf(
      snap,
      ctx,
      closed.some((g) => g.key === null),
    ),
    ...gateFindings(closed, snap.now),
    ...rateFindings(limited, slots?.now ?? snap.now),
  ];
  const report: DiagnoseReport = {
    queue: ctx.name,
    adapter: ctx.adapter.name,
    deliveryMode: ctx.deliveryMode,
    at: snap.now,
    counts: snap.counts,
    estimated: [...(snap.estimated ?? [])],
    total: Object.values(snap.counts).reduce((a, b) => a + b, 0),
    oldestPendingAgeMs: snap.oldestPendingCreatedAt ? Math.max(0, snap.now.getTime() - snap.oldestPendingCreatedAt.getTime()) : null,
    duePending: snap.duePending,
    expiredInFlight: snap.expiredInFlight,
    inFlightTooLong: snap.inFlightTooLong,
    orphanedInFlight: snap.orphanedInFlight,
    failedInWindow: snap.failedInWindow,
    throughput: snap.finishedInThroughputWindow
      ? { windowMs: THROUGHPUT_WINDOW_MS, sent: snap.finishedInThroughputWindow.SENT, failed: snap.finishedInThroughputWindow.FAILED }
      : null,
    possiblySentPending: snap.possiblySentPending,
    heldForReview: snap.counts.HELD,
    duplicateDedupeKeys: snap.duplicateDedupeKeys,
    blockedGroups: snap.blockedGroups,
    gates: closed,
    atRateLimit: limited,
    thresholds: { ...ctx.alerts },
    healthy: !findings.some((f) => f.severity === 'alert'),
    findings,
    samples: {
      expiredInFlight: snap.samples.expiredInFlight.map(summaryOf),
      orphanedInFlight: snap.samples.orphanedInFlight.map(summaryOf),
      failed: snap.samples.failed.map(summaryOf),
      held: snap.samples.held.map(summaryOf),
    },
  };
  callHook(ctx.hooks, ctx.logger, 'diagnosed', report);
  return report;
}

function findingsOf(s: StorageSnapshot, ctx: ResolvedOptions, gated: boolean): Finding[] {
  const out: Finding[] = [];
  const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;
  if (s.inFlightTooLong > 0) {
    out.push({
      severity: 'alert',
      code: 'IN_FLIGHT_TOO_LONG',
      message: `${s.inFlightTooLong} message(s) in PROCESSING/SENDING for more than ${minutes(ctx.alerts.inFlightMs)}.`,
      advice:
        'Is recycleStuck running (runOnce does it)? Is a worker extending its lease forever? If you know their worker is dead, queue.releaseStuck({ ids, force: true }).',
    });
  }
  if (s.orphanedInFlight > 0) {
    const then = ctx.deliveryMode === 'at-least-once' ? 'sends them again flagged possiblySent' : 'holds them for review (HELD)';
    out.push({
      severity: 'alert',
      code: 'ORPHANED_IN_FLIGHT',
      message: `${s.orphanedInFlight} message(s) in PROCESSING/SENDING without a lease or claim token: written by other code (the queue before msgqueue?), so they may already have been sent.`,
      advice: `Stop that code first; recycleStuck (runOnce does it) takes each back once unchanged for ${minutes(ctx.orphanGraceMs)} (orphanGraceMs) and ${then}.`,
    });
  }
  if (s.pendingShiftedByTimeZone && s.pendingShiftedByTimeZone.rows > 0) {
    const { rows, offsetMinutes } = s.pendingShiftedByTimeZone;
    const offset = `${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(Math.abs(offsetMinutes) / 60)).padStart(2, '0')}:${String(Math.abs(offsetMinutes) % 60).padStart(2, '0')}`;
    out.push({
      severity: 'warning',
      code: 'TIME_ZONE_SHIFT',
      message: `${rows} PENDING message(s) are due up to ${offset} from now, about the database session's UTC offset (${offset}): their availableAt was probably written as local time (a DEFAULT CURRENT_TIMESTAMP on a column without time zone, when the column was added), so they wait that long for nothing.`,
      advice:
        'Set them due (UPDATE … SET availableAt = createdAt WHERE status = PENDING) and give the column a UTC default; see "Using your existing table".',
    });
  }
  if (s.expiredInFlight > 0) {
    out.push({
      severity: 'warning',
      code: 'EXPIRED_IN_FLIGHT',
      message: `${s.expiredInFlight} message(s) in flight with an expired lease; the next recycleStuck takes them back.`,
      advice: 'If this stays above 0, nothing is running the recycler: run runOnce (or recycleStuck) on a schedule.',
    });
  }
  if (s.failedInWindow > ctx.alerts.failedThreshold) {
    out.push({
      severity: 'alert',
      code: 'FAILED_ABOVE_THRESHOLD',
      message: `${s.failedInWindow} message(s) failed in the last ${minutes(ctx.alerts.failedWindowMs)}, above the threshold of ${ctx.alerts.failedThreshold}.`,
      advice: "Read their lastError (samples.failed); once the cause is fixed, queue.retryMany({ status: 'FAILED' }).",
    });
  }
  if (s.counts.HELD > 0) {
    out.push({
      severity: 'alert',
      code: 'HELD_FOR_REVIEW',
      message: `${s.counts.HELD} message(s) HELD: their lease expired after the pre-send guard (at-most-once), so they may or may not have been delivered.`,
      advice:
        "Check with the provider, then queue.markSent(ids) the ones that arrived and queue.retryMany({ status: 'HELD', ids }) the others.",
    });
  }
  if (s.possiblySentPending > 0) {
    out.push({
      severity: 'warning',
      code: 'POSSIBLY_SENT_RESEND',
      message: `${s.possiblySentPending} message(s) will be sent again after a worker lost them mid-send (at-least-once).`,
      advice: 'They carry the same idempotencyKey: pass it to your provider, so the resend cannot deliver twice.',
    });
  }
  if (s.duplicateDedupeKeys > 0) {
    out.push({
      severity: 'alert',
      code: 'DUPLICATE_DEDUPE_KEYS',
      message: `${s.duplicateDedupeKeys} dedupe key(s) appear on more than one row.`,
      advice:
        'The table lacks a unique index on the dedupe column, or rows were inserted around the queue: add the index (see the shipped SQL).',
    });
  }
  if (s.blockedGroups > 0) {
    out.push({
      severity: 'alert',
      code: 'GROUP_BLOCKED',
      message: `${s.blockedGroups} group(s) wait behind a FAILED or HELD message (groupFailurePolicy: 'block').`,
      advice: 'Retry it (queue.retry(id)) or remove it to let the group go on.',
    });
  }
  const age = s.oldestPendingCreatedAt ? s.now.getTime() - s.oldestPendingCreatedAt.getTime() : 0;
  if (s.duePending > 0 && age > ctx.alerts.inFlightMs) {
    out.push({
      severity: 'warning',
      code: 'PENDING_BACKLOG',
      message: `${s.duePending} due message(s) waiting, the oldest for ${minutes(age)}.`,
      advice: gated
        ? 'The queue is paused (see below): resume it, or let a pause for a while run out.'
        : 'Run the cron tick more often or raise batchSize.',
    });
  }
  return out;
}
