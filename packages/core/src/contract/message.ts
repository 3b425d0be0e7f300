/**
 * The states a message moves through. See the life-cycle diagram in the README.
 *
 * - `PENDING`: waiting to be claimed once `availableAt` has passed.
 * - `PROCESSING`: claimed: owned by the worker with its claim token until `leaseUntil`.
 * - `SENDING`: the worker passed {@link Queue.guardBeforeSend}; the message may have left.
 * - `SENT`: acknowledged. Terminal.
 * - `FAILED`: out of attempts, or failed with a permanent error. Terminal.
 * - `HELD`: its lease expired while SENDING in at-most-once mode: it may or may not have left, and
 *   it is never re-sent automatically. A person decides (see `diagnose`).
 * - `CANCELLED`: an operator cancelled it while it was PENDING ({@link Queue.cancel}): it was never
 *   sent and never will be; `lastError` says who and why. Terminal.
 */
export type MessageStatus = 'PENDING' | 'PROCESSING' | 'SENDING' | 'SENT' | 'FAILED' | 'HELD' | 'CANCELLED';

/** All statuses, in life-cycle order. */
export const MESSAGE_STATUSES: readonly MessageStatus[] = ['PENDING', 'PROCESSING', 'SENDING', 'SENT', 'FAILED', 'HELD', 'CANCELLED'];

/**
 * What happens to a message whose lease expired while it was SENDING (the worker passed the guard,
 * then died or overran its lease, so nobody knows whether the provider accepted it).
 *
 * - `at-least-once` (default): it goes back to PENDING flagged `possiblySent`, and is sent again with
 *   the same `idempotencyKey`. Nothing is ever silently dropped; a provider that honours idempotency
 *   keys turns the resend into a no-op.
 * - `at-most-once`: it goes to HELD and is never re-sent automatically; `diagnose` lists it.
 */
export type DeliveryMode = 'at-least-once' | 'at-most-once';

/**
 * What a message that ended FAILED (or HELD) does to the rest of its group.
 *
 * - `skip` (default): the group moves on to its next message. FAILED is terminal: the failed
 *   message will never be delivered, so the next one overtakes nothing that will arrive. This is
 *   what SQS FIFO does once a message goes to its dead-letter queue, and it never stalls a
 *   conversation waiting for a person.
 * - `block`: the group waits until someone retries (`queue.retry(id)`) or removes the failed
 *   message; `diagnose` reports it as GROUP_BLOCKED. Choose it when a later message makes no
 *   sense without the earlier one.
 */
export type GroupFailurePolicy = 'skip' | 'block';

/** A stored message, as adapters return it. Times are the storage's clock. */
export interface MessageRecord<P = unknown> {
  /** Unique id (the queue generates UUIDs; an existing table may hold its own string ids). */
  id: string;
  status: MessageStatus;
  /** The JSON payload, parsed. */
  payload: P;
  /** Number of claims so far (counted when claimed, so a crashing message still runs out). */
  attempts: number;
  /** Lower runs first. */
  priority: number;
  /** Not claimed before this time. */
  availableAt: Date;
  /** The key that made enqueue idempotent, if one was given. */
  dedupeKey: string | null;
  /** Ordered group (a conversation, a recipient): at most one of a group in flight, in enqueue order. */
  groupKey: string | null;
  /** Token of the claim that owns the message, or null when none does. */
  claimToken: string | null;
  /** End of the current lease, or null when no claim owns the message. */
  leaseUntil: Date | null;
  /** True once the message was recycled out of SENDING: an earlier attempt may have been delivered. */
  possiblySent: boolean;
  /** The last error recorded by `fail` or by the recycler. */
  lastError: string | null;
  createdAt: Date;
  /** Time of the last state change. */
  updatedAt: Date;
}

/** A message handed to a worker by {@link Queue.claimBatch}. */
export interface ClaimedMessage<P = unknown> {
  id: string;
  payload: P;
  /** Attempts including this one. */
  attempts: number;
  priority: number;
  dedupeKey: string | null;
  /** The message's ordered group, if any. */
  groupKey: string | null;
  createdAt: Date;
  /** The claim token that fences every later transition of this message. */
  token: string;
  /** Lease end, on the storage's clock. */
  leaseUntil: Date;
  /**
   * Stable across every attempt of this message: pass it to your provider as its idempotency key
   * (an `Idempotency-Key` header, a client reference) so a resend cannot deliver twice.
   */
  idempotencyKey: string;
  /** True when an earlier attempt may already have been delivered (recycled out of SENDING). */
  possiblySent: boolean;
}

/** The result of {@link Queue.claimBatch}. */
export interface Claim<P = unknown> {
  /** Fresh random token stamped on every claimed message. */
  token: string;
  /** Lease end shared by the batch (storage clock), or null when nothing was claimed. */
  leaseUntil: Date | null;
  messages: ClaimedMessage<P>[];
}

/** Why a fenced transition (guard, ack, fail, release, extend) was refused. */
export type RefusalReason =
  /** No message has this id. */
  | 'not-found'
  /** Another claim owns the message now, or none does: it was recycled (and maybe re-claimed). */
  | 'stale-claim'
  /** The claim still owns the message, but its lease has expired: recycling may take it any moment. */
  | 'lease-expired'
  /** Less lease is left than `guardMarginMs`: the send could outlive the lease. Extend or release. */
  | 'lease-too-short'
  /** The message is owned by this claim but is not in a status this transition starts from. */
  | 'wrong-status';

/** A refused fenced transition: a value, not an exception, so callers must look at it. */
export interface Refusal {
  ok: false;
  reason: RefusalReason;
  /** The message's status when the refusal was explained, or null when it does not exist. */
  status: MessageStatus | null;
  /** A sentence saying what happened and what to do. */
  detail: string;
}

/** A fenced transition that took effect. */
export interface Accepted {
  ok: true;
  status: MessageStatus;
  /** Lease end after the transition, when a claim still owns the message. */
  leaseUntil: Date | null;
}

/** Answer of {@link Queue.guardBeforeSend}, {@link Queue.ack}, {@link Queue.release}, {@link Queue.extendLease}. */
export type TransitionResult = Accepted | Refusal;

/** The answer of {@link Queue.fail}: accepted with the outcome, or refused. */
export type FailResult =
  | (Accepted & { outcome: 'retry'; availableAt: Date | null })
  | (Accepted & { outcome: 'failed' })
  | (Accepted & { outcome: 'held' })
  | Refusal;

/** A reference to a claimed message: what the fenced operations need. */
export interface ClaimRef {
  id: string;
  token: string;
}
