import type { ResolvedOptions } from '../config/options.js';
import { key, token } from '../config/validate.js';
import type { FencedOutcome, MessageState } from '../contract/adapter.js';
import type { Accepted, ClaimRef, MessageRecord, MessageStatus, Refusal } from '../contract/message.js';
import { MESSAGE_STATUSES } from '../contract/message.js';
import { MsgQueueError } from '../errors/msgqueue-error.js';
import { callHook } from '../observability/hooks.js';

/** Validate a claimed-message reference (`{ id, token }`, or a whole ClaimedMessage). */
export function checkRef(value: unknown, field: string): ClaimRef {
  if (typeof value !== 'object' || value === null) {
    throw new MsgQueueError('INVALID_ARGUMENT', `${field}: expected a claimed message (or { id, token }) from claimBatch.`, { field });
  }
  const v = value as Record<string, unknown>;
  return { id: key(v.id, `${field}.id`), token: token(v.token, `${field}.token`) };
}

/** Check an adapter's record before trusting it. */
export function checkRecord<R extends Pick<MessageRecord, 'id' | 'status'>>(record: R, adapterName: string): R {
  if (!MESSAGE_STATUSES.includes(record.status)) {
    throw new MsgQueueError(
      'CORRUPT_ROW',
      `Message ${record.id} has status ${JSON.stringify(record.status)}, which the ${adapterName} mapping does not know. Map it in the adapter's statuses option or fix the row.`,
    );
  }
  return record;
}

/** Turn an adapter's fenced outcome into the public answer, explaining a refusal. */
export function answer(
  ctx: ResolvedOptions,
  operation: string,
  ref: ClaimRef,
  outcome: FencedOutcome,
  from: readonly MessageStatus[],
  minLeaseMs = 0,
): Accepted | Refusal {
  if (outcome.ok) {
    const record = checkRecord(outcome.record, ctx.adapter.name);
    return { ok: true, status: record.status, leaseUntil: record.leaseUntil };
  }
  const refusal = explain(operation, ref, outcome.current, outcome.now, from, minLeaseMs);
  ctx.logger.warn({ queue: ctx.name, operation, id: ref.id, reason: refusal.reason }, `msgqueue: ${operation} refused`);
  callHook(ctx.hooks, ctx.logger, 'refused', { operation, id: ref.id, reason: refusal.reason });
  return refusal;
}

function explain(
  operation: string,
  ref: ClaimRef,
  current: MessageState | null,
  now: Date,
  from: readonly MessageStatus[],
  minLeaseMs: number,
): Refusal {
  if (!current) {
    return { ok: false, reason: 'not-found', status: null, detail: `${operation}: no message ${ref.id}.` };
  }
  const status = current.status;
  if (current.claimToken !== ref.token) {
    const why =
      current.claimToken !== null
        ? `another claim owns it now (it is ${status}): this claim's lease ran out, it was recycled and re-claimed`
        : status === 'PENDING'
          ? 'its lease ran out and it was recycled (it is PENDING again)'
          : `it is ${status} and no claim owns it`;
    return {
      ok: false,
      reason: 'stale-claim',
      status,
      detail: `${operation}: message ${ref.id} is no longer owned by this claim; ${why}. Do not send it.`,
    };
  }
  if (!from.includes(status)) {
    return {
      ok: false,
      reason: 'wrong-status',
      status,
      detail: `${operation}: message ${ref.id} is ${status}; ${operation} starts from ${from.join(' or ')}.`,
    };
  }
  const left = current.leaseUntil ? current.leaseUntil.getTime() - now.getTime() : -1;
  if (left <= 0) {
    return {
      ok: false,
      reason: 'lease-expired',
      status,
      detail: `${operation}: the lease on message ${ref.id} has expired; it will be recycled. Extend leases for long work.`,
    };
  }
  if (left < minLeaseMs) {
    return {
      ok: false,
      reason: 'lease-too-short',
      status,
      detail: `${operation}: only ${left} ms of lease left on message ${ref.id}, under guardMarginMs (${minLeaseMs}). Extend the lease or release the message.`,
    };
  }
  // The compare-and-set failed but the re-read shows a row it should have matched: it changed
  // in between (a concurrent transition). Treat it as lost ownership.
  return {
    ok: false,
    reason: 'stale-claim',
    status,
    detail: `${operation}: message ${ref.id} changed while ${operation} ran; treat the claim as lost.`,
  };
}
