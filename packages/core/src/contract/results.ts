/**
 * What the queue's calls answer — a tick's summary, a recycle's, a diagnose report — and what `send`
 * receives. Kept beside the contract so every layer (the tick, the operator actions, the hooks and
 * telemetry that report them) can name them without importing the code that produces them.
 */
import type { Gate, RecycleOutcome } from './adapter.js';
import type { MessageStatus, RefusalReason } from './message.js';

/** What `send` receives besides the message. */
export interface SendContext {
  /**
   * Aborted before the message's lease runs out (or the tick's budget, whichever is first): pass it
   * to fetch() so a send never outlives its lease, when the recycler could hand it to another worker.
   */
  signal: AbortSignal;
}

/**
 * What `sendBatch` answers: nothing when every message was delivered, or one entry per message in
 * order — `undefined` (or `null`) for delivered, the error for a message that was not (classified as
 * a thrown error would be).
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an async sendBatch that returns nothing resolves to void.
export type SendBatchResult = undefined | void | readonly unknown[];

/** What one {@link Queue.runOnce} tick did. */
export interface RunSummary {
  /** Set when the tick did nothing because another tick was running. */
  skipped: null | 'overlap-in-process' | 'overlap-other-instance';
  recycled: RecycleSummary | null;
  /** Claims that returned messages. */
  batches: number;
  claimed: number;
  sent: number;
  /** Failed attempts that will be retried. */
  retried: number;
  /** Messages that ended FAILED this tick. */
  failed: number;
  /** Sends whose outcome was unknown, held for review (at-most-once). */
  held: number;
  /** Claimed but not started before the budget ran out: released, attempt not counted. */
  released: number;
  /** Messages this process was already working on under an older claim: released untouched. */
  alreadyWorking: number;
  /**
   * Messages the provider refused with a 429 (`RateLimitedSendError`, or an error with
   * `retryAfterMs`), and those the tick then did not start behind the gate it closed: back to
   * PENDING after the wait, attempt not counted.
   */
  rateLimited: number;
  /**
   * Messages a keyed rate limit ({@link QueueOptions.rateLimit} with `key`) did not let start: their
   * key had no free slot. Back to PENDING for when it should have one, attempt not counted.
   */
  throttled: number;
  /**
   * Set when the tick stopped because the queue's own rate limit had no free slot and its budget
   * left no time to wait: how soon (ms) one may free. Null otherwise.
   */
  throttledForMs: number | null;
  /** Guard refusals by reason: these messages were not sent. */
  guardRefused: Partial<Record<RefusalReason, number>>;
  /** Sends that succeeded but whose ack was refused: another claim owns the message now. */
  staleAcks: number;
  /** Every transition refused as `stale-claim` this tick (guard, ack, fail, release): fencing at work. */
  staleClaims: number;
  /** Storage errors met while working (a settle, a later claim, retention); those rows stay leased and are recycled later. */
  storageErrors: number;
  /** Finished messages deleted by the queue's `retention` this tick. */
  purged: number;
  durationMs: number;
}

/**
 * What {@link Queue.recycleStuck} did, with ids per outcome and their total.
 *
 * @category Operations
 */
export interface RecycleSummary extends RecycleOutcome {
  total: number;
  /** True when nothing was changed: the ids are what a recycle would do now. */
  dryRun?: boolean;
}

/**
 * A message in a diagnose sample or a page of {@link Queue.find}: what an operator needs, never the payload.
 *
 * @category Operations
 */
export interface MessageSummary {
  id: string;
  status: MessageStatus;
  groupKey: string | null;
  attempts: number;
  /** When it is (or was) due: a delayed or backed-off message is not claimed before. */
  availableAt: Date;
  leaseUntil: Date | null;
  possiblySent: boolean;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * One finding of {@link Queue.diagnose}: a sentence with the numbers that triggered it.
 *
 * @category Operations
 */
export interface Finding {
  /** `alert` needs a person; `warning` may fix itself (the recycler will run); `info` is context. */
  severity: 'alert' | 'warning' | 'info';
  /** Stable identifier of the finding kind. */
  code:
    | 'IN_FLIGHT_TOO_LONG'
    | 'EXPIRED_IN_FLIGHT'
    | 'ORPHANED_IN_FLIGHT'
    | 'TIME_ZONE_SHIFT'
    | 'FAILED_ABOVE_THRESHOLD'
    | 'HELD_FOR_REVIEW'
    | 'POSSIBLY_SENT_RESEND'
    | 'DUPLICATE_DEDUPE_KEYS'
    | 'PENDING_BACKLOG'
    | 'GROUP_BLOCKED'
    | 'QUEUE_PAUSED'
    | 'QUEUE_PAUSED_UNTIL'
    | 'GROUPS_GATED'
    | 'QUEUE_RATE_LIMITED'
    | 'KEYS_RATE_LIMITED';
  /** What was found, with the numbers. */
  message: string;
  /** What to do about it, in the queue's API (the CLI and a status page name their own way to do it). */
  advice: string;
}

/**
 * The structured report of {@link Queue.diagnose}.
 *
 * @category Operations
 */
export interface DiagnoseReport {
  queue: string;
  adapter: string;
  deliveryMode: string;
  /** When the figures were read, on the storage's clock. */
  at: Date;
  counts: Record<MessageStatus, number>;
  /** Statuses whose count is an estimate from the database's statistics (SENT on a large PostgreSQL table); `total` is then one too. */
  estimated: MessageStatus[];
  total: number;
  /** Age of the oldest PENDING message, or null when none is pending. */
  oldestPendingAgeMs: number | null;
  duePending: number;
  /** In flight with an expired lease: the next recycle takes them back. */
  expiredInFlight: number;
  /** In flight under a lease longer than `alerts.inFlightMs`. */
  inFlightTooLong: number;
  /** In flight without a lease or claim token: left by other code (the queue before the switch). */
  orphanedInFlight: number;
  /** FAILED within `alerts.failedWindowMs`. */
  failedInWindow: number;
  /**
   * What the queue finished in the last hour: sent, and failed for good (by each row's last change;
   * purged rows are not counted). Null when the adapter does not count it.
   */
  throughput: { windowMs: number; sent: number; failed: number } | null;
  /** Released out of SENDING and waiting to be sent again (an earlier attempt may have arrived). */
  possiblySentPending: number;
  /** HELD: expired while SENDING in at-most-once mode; a person must decide. */
  heldForReview: number;
  /** Dedupe keys carried by more than one row. */
  duplicateDedupeKeys: number;
  /** With `groupFailurePolicy: 'block'`: groups waiting behind a FAILED or HELD message. */
  blockedGroups: number;
  /** Closed gates: the queue, or group keys of it, paused (`queue.pause`, `queue.pauseFor`); the queue's own first. */
  gates: Gate[];
  /**
   * The queue (key null, first) and keys at their rate limit ({@link QueueOptions.rateLimit}): every
   * slot in use, the next free at `nextFreeAt`. Empty without limits; at most 1,000 keys are read.
   */
  atRateLimit: AtRateLimit[];
  thresholds: { inFlightMs: number; failedWindowMs: number; failedThreshold: number };
  /** False when any finding is an alert. */
  healthy: boolean;
  findings: Finding[];
  samples: { expiredInFlight: MessageSummary[]; orphanedInFlight: MessageSummary[]; failed: MessageSummary[]; held: MessageSummary[] };
}

/**
 * A queue, or key of it, at its rate limit: every slot in use; the next may free at `nextFreeAt`.
 *
 * @category Flow control
 */
export interface AtRateLimit {
  /** The key, or null for the queue's own limit. */
  key: string | null;
  max: number;
  perMs: number;
  nextFreeAt: Date;
}
