import type { ResolvedOptions } from '../config/options.js';
import { checkOptions } from '../config/validate.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import { carryOut, fenceOf, type OperatorResult, planRow } from './plan.js';
import { checkFilter, checkStatuses, select } from './select.js';

/**
 * Options of {@link Queue.purge}.
 *
 * @category Operations
 */
export interface PurgeOptions {
  /** `SENT` (default), `FAILED`, `CANCELLED`, or a list. Messages still to be sent or held for review are never purged. */
  status?: 'SENT' | 'FAILED' | 'CANCELLED' | ('SENT' | 'FAILED' | 'CANCELLED')[];
  /** Required: only messages whose last change is at least this old. */
  olderThanMs: number;
  /** At most this many per call (oldest first). Default 1000. */
  limit?: number;
  /** Only say what would happen. Default false. */
  dryRun?: boolean;
}

/**
 * Delete finished messages older than `olderThanMs`: SENT by default, FAILED or CANCELLED when asked. Their dedupe
 * keys are free again afterwards. The `retention` queue option does this on every tick.
 */
export async function purge(ctx: ResolvedOptions, options: PurgeOptions): Promise<OperatorResult> {
  const field = 'purge.options';
  const o = checkOptions<PurgeOptions>(options, field, ['status', 'olderThanMs', 'limit', 'dryRun']);
  if (o.olderThanMs === undefined) throw invalidArgument(`${field}.olderThanMs`, 'required: how old a finished message must be to go.');
  const statuses = checkStatuses(o.status, `${field}.status`, ['SENT', 'FAILED', 'CANCELLED'] as const, ['SENT']);
  const filter = checkFilter(o, field);
  const { rows, now, more } = await select(ctx, statuses, filter);
  return carryOut(ctx, 'purge', {
    dryRun: filter.dryRun,
    rows: rows.map((r) => planRow(r, 'DELETED', now)),
    steps: [{ records: rows, change: { to: 'DELETE', resetAttempts: false, possiblySent: false, note: null } }],
    refused: [],
    more,
  });
}

/** Rows of one status a retention step deletes: one find and one fenced delete, each well under a second. */
const RETENTION_BATCH = 1000;

/**
 * The queue's `retention`, applied once: finished messages past their age deleted, SENT then
 * FAILED, in steps of 1,000 rows each fenced as `purge` does — one step of each status, then more
 * while `more()` says there is time (a tick passes "before its reserve"), so a busy table's history
 * is deleted as fast as it grows. Answers how many went.
 */
export async function applyRetention(ctx: ResolvedOptions, more: () => boolean = () => false): Promise<number> {
  let purged = 0;
  for (const [status, ageMs] of [
    ['SENT', ctx.retention.sentMs],
    ['FAILED', ctx.retention.failedMs],
    ['CANCELLED', ctx.retention.cancelledMs],
  ] as const) {
    if (ageMs === null) continue;
    for (let step = 0; step === 0 || more(); step++) {
      const { rows } = await ctx.adapter.find({ queue: ctx.name, statuses: [status], olderThanMs: ageMs, limit: RETENTION_BATCH });
      if (rows.length === 0) break;
      const done = await ctx.adapter.operate({
        queue: ctx.name,
        items: rows.map(fenceOf),
        to: 'DELETE',
        resetAttempts: false,
        possiblySent: false,
        note: null,
      });
      purged += done.filter(Boolean).length;
      if (rows.length < RETENTION_BATCH) break;
    }
  }
  if (purged > 0) ctx.logger.debug({ queue: ctx.name, purged }, 'msgqueue: retention deleted finished messages');
  return purged;
}
