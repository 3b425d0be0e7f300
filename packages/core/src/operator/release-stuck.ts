import type { ResolvedOptions } from '../config/options.js';
import { bool, checkOptions, oneOf } from '../config/validate.js';
import type { FoundRow } from '../contract/adapter.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import { carryOut, type OperatorResult, type PlanRefusal, type PlanRow, planRow, type Step } from './plan.js';
import { checkFilter, select } from './select.js';

/**
 * Options of {@link Queue.releaseStuck}. Give `ids` or `olderThanMs` (or both).
 *
 * @category Operations
 */
export interface ReleaseStuckOptions {
  /** These messages. */
  ids?: string | string[];
  /** Messages in flight whose last change is at least this old (the post-mortem's "stuck for 30 minutes"). */
  olderThanMs?: number;
  /**
   * Also take messages whose lease is still running: you know their worker is dead. Their claim token
   * is cleared, so if the worker is alive after all its guard and ack are refused (`stale-claim`).
   */
  force?: boolean;
  /**
   * What to do with a SENDING message — it passed the pre-send guard, so it may have been delivered —
   * or with one in flight without a lease (left by other code, which may have sent it):
   * `resend` (PENDING, flagged possiblySent, same idempotency key), `hold` (HELD for review) or
   * `sent` (the provider confirms it). Without it, SENDING messages are refused.
   */
  sending?: 'resend' | 'hold' | 'sent';
  /** At most this many (oldest change first). Default 1000. */
  limit?: number;
  /** Only say what would happen. Default false. */
  dryRun?: boolean;
}

/**
 * Free messages stuck in flight — the post-mortem's stuck-message script: PROCESSING (never sent) back to
 * PENDING; SENDING, and rows in flight without a lease, as `sending` says. A message whose lease is still running is refused unless
 * `force`. {@link Queue.recycleStuck} does the same for expired leases by the delivery mode's rule,
 * on every tick; `releaseStuck` is for a person who knows more than the lease does.
 */
export async function releaseStuck(ctx: ResolvedOptions, options: ReleaseStuckOptions): Promise<OperatorResult> {
  const field = 'releaseStuck.options';
  const o = checkOptions<ReleaseStuckOptions>(options, field, ['ids', 'olderThanMs', 'force', 'sending', 'limit', 'dryRun']);
  if (o.ids === undefined && o.olderThanMs === undefined) {
    throw invalidArgument(`${field}.ids`, 'give ids or olderThanMs: releaseStuck never takes every message in flight by default.');
  }
  const filter = checkFilter(o, field);
  const force = bool(o.force, `${field}.force`, false);
  const sending = o.sending === undefined ? null : oneOf(o.sending, `${field}.sending`, ['resend', 'hold', 'sent'] as const, 'resend');
  const { rows, now, more } = await select(ctx, ['PROCESSING', 'SENDING'], filter);

  const toPending: FoundRow[] = [];
  const toResend: FoundRow[] = [];
  const toHold: FoundRow[] = [];
  const toSent: FoundRow[] = [];
  const plan: PlanRow[] = [];
  const refused: PlanRefusal[] = [];
  for (const r of rows) {
    const live = r.leaseUntil !== null && r.leaseUntil.getTime() > now.getTime();
    if (live && !force) {
      refused.push({
        id: r.id,
        status: r.status,
        reason: 'lease-live',
        detail: 'its lease is still running; pass force if its worker is dead.',
      });
      continue;
    }
    // A row in flight without a lease was left by other code, which may have sent it: like SENDING.
    const maybeSent = r.status === 'SENDING' || r.leaseUntil === null;
    if (!maybeSent) {
      toPending.push(r);
      plan.push(planRow(r, 'PENDING', now));
    } else if (sending === null) {
      refused.push({
        id: r.id,
        status: r.status,
        reason: 'sending-needs-decision',
        detail:
          r.status === 'SENDING'
            ? "it is SENDING, so it may have arrived: say sending: 'resend', 'hold' or 'sent'."
            : "it is in flight without a lease (left by other code), so it may have been sent: say sending: 'resend', 'hold' or 'sent'.",
      });
    } else {
      const [list, to] =
        sending === 'resend' ? [toResend, 'PENDING' as const] : sending === 'hold' ? [toHold, 'HELD' as const] : [toSent, 'SENT' as const];
      list.push(r);
      plan.push(planRow(r, to, now));
    }
  }
  if (filter.ids) {
    const found = new Set(rows.map((r) => r.id));
    for (const id of filter.ids) {
      if (!found.has(id))
        refused.push({ id, status: null, reason: 'wrong-status', detail: 'not in flight in this queue (or no such message).' });
    }
  }
  const note = 'released by an operator';
  const steps: Step[] = [
    { records: toPending, change: { to: 'PENDING', resetAttempts: false, possiblySent: false, note } },
    { records: toResend, change: { to: 'PENDING', resetAttempts: false, possiblySent: true, note } },
    { records: toHold, change: { to: 'HELD', resetAttempts: false, possiblySent: true, note } },
    { records: toSent, change: { to: 'SENT', resetAttempts: false, possiblySent: false, note: null } },
  ];
  return carryOut(ctx, 'release-stuck', { dryRun: filter.dryRun, rows: plan, steps, refused, more });
}
