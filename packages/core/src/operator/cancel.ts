import type { ResolvedOptions } from '../config/options.js';
import { checkOptions, describe, key } from '../config/validate.js';
import { MESSAGE_STATUSES } from '../contract/message.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import { carryOut, type OperatorResult, type PlanRefusal, planRow } from './plan.js';
import { checkFilter, select } from './select.js';

/** The longest note a cancel records (it goes in `lastError`). */
const MAX_NOTE = 500;

/**
 * Options of {@link Queue.cancel}: which PENDING messages (due or delayed) never to send. Give at
 * least one of `ids`, `groupKey`, `olderThanMs`, `errorContains`; they combine (all must hold).
 *
 * @category Operations
 */
export interface CancelOptions {
  /** These messages; any that is not PENDING is refused, by id, with its status. */
  ids?: string | string[];
  /** Every PENDING message of this group key. */
  groupKey?: string;
  /** Only those whose last change is at least this old (0: every PENDING message). */
  olderThanMs?: number;
  /** Only those whose `lastError` contains this text (retries of a known failure). */
  errorContains?: string;
  /** Why, recorded in each message's `lastError` after `cancelled: ` (at most 500 characters). */
  note?: string;
  /** At most this many (oldest change first). Default 1000; `more` says when there are others. */
  limit?: number;
  /** Only say what would happen. Default false. */
  dryRun?: boolean;
}

/**
 * Cancel PENDING messages, due or delayed: CANCELLED, never sent. Each row is fenced on the state it
 * was read in, so a message a worker claimed meanwhile is skipped (`skipped`) and goes its way; a
 * message in flight, sent or failed cannot be cancelled (pause the queue to stop sends at once).
 */
export async function cancel(ctx: ResolvedOptions, options: CancelOptions): Promise<OperatorResult> {
  const field = 'cancel.options';
  const o = checkOptions<CancelOptions>(options, field, ['ids', 'groupKey', 'olderThanMs', 'errorContains', 'note', 'limit', 'dryRun']);
  if (o.ids === undefined && o.groupKey === undefined && o.olderThanMs === undefined && o.errorContains === undefined) {
    throw invalidArgument(
      field,
      'say which messages: ids, groupKey, olderThanMs or errorContains (olderThanMs: 0 cancels every PENDING message).',
    );
  }
  const filter = checkFilter(o, field);
  const groupKey = o.groupKey === undefined ? undefined : key(o.groupKey, `${field}.groupKey`);
  if (o.note !== undefined && (typeof o.note !== 'string' || o.note.length === 0 || o.note.length > MAX_NOTE)) {
    throw invalidArgument(`${field}.note`, `expected a text of 1 to ${MAX_NOTE} characters, got ${describe(o.note)}.`);
  }
  const note = `cancelled: ${o.note ?? 'by an operator'}`;
  // With ids, every status is read so that each id not cancelled says why.
  const { rows, now, more } = await select(ctx, filter.ids ? MESSAGE_STATUSES : ['PENDING'], filter, { groupKey });
  const taken = rows.filter((r) => r.status === 'PENDING');
  const refused: PlanRefusal[] = rows
    .filter((r) => r.status !== 'PENDING')
    .map((r) => ({
      id: r.id,
      status: r.status,
      reason: 'wrong-status',
      detail:
        r.status === 'PROCESSING' || r.status === 'SENDING'
          ? `it is ${r.status}: a claim owns it and may be sending it; pause the queue to stop sends, then see diagnose.`
          : `it is ${r.status}: only PENDING messages are cancelled.`,
    }));
  if (filter.ids) {
    const found = new Set(rows.map((r) => r.id));
    for (const id of filter.ids) {
      if (!found.has(id)) refused.push({ id, status: null, reason: 'not-found', detail: 'no such message in this queue.' });
    }
  }
  return carryOut(ctx, 'cancel', {
    dryRun: filter.dryRun,
    rows: taken.map((r) => planRow(r, 'CANCELLED', now)),
    steps: [{ records: taken, change: { to: 'CANCELLED', resetAttempts: false, possiblySent: false, note } }],
    refused,
    more,
  });
}
