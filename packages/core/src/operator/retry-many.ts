import type { ResolvedOptions } from '../config/options.js';
import { checkOptions } from '../config/validate.js';
import { carryOut, type OperatorResult, planRow } from './plan.js';
import { checkFilter, checkStatuses, select } from './select.js';

/**
 * Options of {@link Queue.retryMany}: which FAILED or HELD messages go back to PENDING.
 *
 * @category Operations
 */
export interface RetryManyOptions {
  /** `FAILED` (default), `HELD`, or both. */
  status?: 'FAILED' | 'HELD' | ('FAILED' | 'HELD')[];
  /** Only these messages. */
  ids?: string | string[];
  /** Only those whose last change is at least this old. */
  olderThanMs?: number;
  /** Only those whose `lastError` contains this text (case-sensitive). */
  errorContains?: string;
  /** At most this many (oldest change first). Default 1000; `more` says when there are others. */
  limit?: number;
  /** Only say what would happen. Default false. */
  dryRun?: boolean;
}

/**
 * An operator's retry, in bulk: the selected FAILED (or HELD) messages back to PENDING, due now,
 * attempts reset. Each row is fenced on the state it was read in, so a message that moved meanwhile
 * is skipped. HELD messages may have been delivered: retry them once the provider says they were not.
 */
export async function retryMany(ctx: ResolvedOptions, options?: RetryManyOptions): Promise<OperatorResult> {
  const field = 'retryMany.options';
  const o = checkOptions<RetryManyOptions>(options, field, ['status', 'ids', 'olderThanMs', 'errorContains', 'limit', 'dryRun']);
  const statuses = checkStatuses(o.status, `${field}.status`, ['FAILED', 'HELD'] as const, ['FAILED']);
  const filter = checkFilter(o, field);
  const { rows, now, more } = await select(ctx, statuses, filter);
  return carryOut(ctx, 'retry', {
    dryRun: filter.dryRun,
    rows: rows.map((r) => planRow(r, 'PENDING', now)),
    steps: [{ records: rows, change: { to: 'PENDING', resetAttempts: true, possiblySent: false, note: null } }],
    refused: [],
    more,
  });
}
