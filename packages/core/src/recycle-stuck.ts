import type { RecycleOutcome } from './adapter.js';
import { callHook } from './hooks.js';
import type { ResolvedOptions } from './options.js';
import { checkOptions, int } from './validate.js';

/** Options of {@link Queue.recycleStuck}. */
export interface RecycleOptions {
  /** At most this many rows per call. Default 1000. */
  limit?: number;
}

/** What {@link Queue.recycleStuck} did, with ids per outcome and their total. */
export interface RecycleSummary extends RecycleOutcome {
  total: number;
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
  const o = checkOptions<RecycleOptions>(options, 'recycleStuck.options', ['limit']);
  const limit = int(o.limit, 'recycleStuck.options.limit', 1, 100_000, 1000);
  const outcome = await ctx.adapter.recycle({
    queue: ctx.name,
    maxAttempts: ctx.maxAttempts,
    deliveryMode: ctx.deliveryMode,
    limit,
    orphanGraceMs: ctx.orphanGraceMs,
  });
  const total = outcome.requeued.length + outcome.requeuedPossiblySent.length + outcome.held.length + outcome.failed.length;
  if (total > 0) {
    ctx.logger.warn(
      {
        queue: ctx.name,
        requeued: outcome.requeued.length,
        requeuedPossiblySent: outcome.requeuedPossiblySent.length,
        held: outcome.held.length,
        failed: outcome.failed.length,
        orphans: outcome.orphans.length,
      },
      `msgqueue: recycled ${total} message(s) in flight without a live lease`,
    );
    callHook(ctx.hooks, ctx.logger, 'recycled', outcome);
  }
  return { ...outcome, total };
}
