import type { ResolvedOptions } from '../config/options.js';
import { bool, checkOptions } from '../config/validate.js';
import { MESSAGE_STATUSES } from '../contract/message.js';
import { carryOut, type OperatorResult, type PlanRefusal, planRow } from './plan.js';
import { checkIds, select } from './select.js';

/**
 * Options of {@link Queue.markSent}.
 *
 * @category Operations
 */
export interface MarkSentOptions {
  /** Also FAILED messages (the provider confirms they arrived after all). Default false: HELD only. */
  allowFailed?: boolean;
  /** Only say what would happen. Default false. */
  dryRun?: boolean;
}

/**
 * Record that the provider confirms these messages arrived: HELD (and, with `allowFailed`, FAILED)
 * → SENT. The way out for a message at-most-once held for review once you have checked with the
 * provider; the other way out is {@link Queue.retryMany}. Other statuses are refused, by id.
 */
export async function markSent(ctx: ResolvedOptions, ids: string | string[], options?: MarkSentOptions): Promise<OperatorResult> {
  const field = 'markSent.options';
  const o = checkOptions<MarkSentOptions>(options, field, ['allowFailed', 'dryRun']);
  const allowFailed = bool(o.allowFailed, `${field}.allowFailed`, false);
  const dryRun = bool(o.dryRun, `${field}.dryRun`, false);
  const wanted = checkIds(ids, 'markSent.ids');
  const { rows, now } = await select(ctx, MESSAGE_STATUSES, { ids: wanted, limit: wanted.length, dryRun });
  const from = allowFailed ? ['HELD', 'FAILED'] : ['HELD'];
  const taken = rows.filter((r) => from.includes(r.status));
  const refused: PlanRefusal[] = rows
    .filter((r) => !from.includes(r.status))
    .map((r) => ({
      id: r.id,
      status: r.status,
      reason: 'wrong-status',
      detail:
        r.status === 'FAILED'
          ? 'it is FAILED: pass allowFailed if the provider confirms it arrived.'
          : `it is ${r.status}: only HELD${allowFailed ? ' or FAILED' : ''} messages are marked sent.`,
    }));
  const found = new Set(rows.map((r) => r.id));
  for (const id of wanted)
    if (!found.has(id)) refused.push({ id, status: null, reason: 'not-found', detail: 'no such message in this queue.' });
  return carryOut(ctx, 'mark-sent', {
    dryRun,
    rows: taken.map((r) => planRow(r, 'SENT', now)),
    steps: [{ records: taken, change: { to: 'SENT', resetAttempts: false, possiblySent: false, note: null } }],
    refused,
    more: false,
  });
}
