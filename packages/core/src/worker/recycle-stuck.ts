import type { ResolvedOptions } from '../config/options.js';
import { bool, checkOptions, int } from '../config/validate.js';
import type { FoundRow } from '../contract/adapter.js';
import { RECYCLE_REASONS } from '../contract/recycle-reasons.js';
import type { RecycleSummary } from '../contract/results.js';
import { callHook } from '../observability/hooks.js';

/**
 * Options of {@link Queue.recycleStuck}.
 *
 * @category Operations
 */
export interface RecycleOptions {
  /** At most this many rows per call. Default 1000. */
  limit?: number;
  /** Only say which rows would move where; change nothing. Default false. */
  dryRun?: boolean;
}

/**
 * Take back messages whose lease expired:
 * - PROCESSING (never passed the guard, so never sent) → PENDING, or FAILED when out of attempts;
 * - SENDING (maybe sent) → by delivery mode: `at-least-once` → PENDING flagged `possiblySent`
 *   (FAILED when out of attempts), `at-most-once` → HELD for a person to decide;
 * - PROCESSING or SENDING without a lease (left by other code, such as the hand-rolled queue before
 *   the switch) once unchanged for `orphanGraceMs`: maybe sent, so as SENDING above.
 *
 * Every row is re-checked in the same statement that moves it, so a message acknowledged a moment
 * ago is never overwritten. Safe to run from every cron tick and from several instances at once.
 */
export async function recycleStuck(ctx: ResolvedOptions, options?: RecycleOptions): Promise<RecycleSummary> {
  const o = checkOptions<RecycleOptions>(options, 'recycleStuck.options', ['limit', 'dryRun']);
  const limit = int(o.limit, 'recycleStuck.options.limit', 1, 100_000, 1000);
  if (bool(o.dryRun, 'recycleStuck.options.dryRun', false)) return preview(ctx, limit);
  const outcome = await ctx.adapter.recycle({
    queue: ctx.name,
    maxAttempts: ctx.maxAttempts,
    deliveryMode: ctx.deliveryMode,
    limit,
    orphanGraceMs: ctx.orphanGraceMs,
  });
  const total = outcome.released.length + outcome.releasedPossiblySent.length + outcome.held.length + outcome.failed.length;
  if (total > 0) {
    ctx.logger.warn(
      {
        queue: ctx.name,
        released: outcome.released.length,
        releasedPossiblySent: outcome.releasedPossiblySent.length,
        held: outcome.held.length,
        failed: outcome.failed.length,
        orphans: outcome.orphans.length,
      },
      `msgqueue: recycled ${total} message(s) in flight without a live lease`,
    );
    callHook(ctx.hooks, ctx.logger, 'recycled', outcome);
    for (const id of outcome.held) callHook(ctx.hooks, ctx.logger, 'held', { id, reason: RECYCLE_REASONS.held });
  }
  return { ...outcome, total };
}

/**
 * What {@link recycleStuck} would do now, by the same rule every adapter applies, read without a
 * write: expired rows and orphans (no lease, unchanged for `orphanGraceMs`), oldest first.
 */
async function preview(ctx: ResolvedOptions, limit: number): Promise<RecycleSummary> {
  const { rows, now } = await ctx.adapter.find({ queue: ctx.name, statuses: ['PROCESSING', 'SENDING'], limit: 100_000 });
  const t = now.getTime();
  const due = rows.filter((r) => (r.leaseUntil ? r.leaseUntil.getTime() < t : r.updatedAt.getTime() < t - ctx.orphanGraceMs));
  const out: RecycleSummary = { released: [], releasedPossiblySent: [], held: [], failed: [], orphans: [], total: 0, dryRun: true };
  for (const r of due.slice(0, limit)) {
    out[outcomeOf(ctx, r)].push(r.id);
    if (r.leaseUntil === null) out.orphans.push(r.id);
    out.total++;
  }
  return out;
}

/** Where the recycler sends an expired or orphaned row (see the rule above {@link recycleStuck}). */
function outcomeOf(ctx: ResolvedOptions, r: FoundRow): 'released' | 'releasedPossiblySent' | 'held' | 'failed' {
  const maybeSent = r.status === 'SENDING' || r.leaseUntil === null;
  if (maybeSent && ctx.deliveryMode === 'at-most-once') return 'held';
  if (r.attempts >= ctx.maxAttempts) return 'failed';
  return maybeSent ? 'releasedPossiblySent' : 'released';
}
