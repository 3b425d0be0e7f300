/**
 * The storage-adapter contract: the smallest set of atomic operations the queue needs.
 *
 * Every method is one atomic step against the storage. "Now" always means the storage's clock
 * (`now()` in SQL), never the application's: app servers disagree about the time, a database does
 * not disagree with itself. Adapters receive arguments the core has already validated.
 *
 * An adapter proves it keeps this contract by passing `@org/msgqueue-conformance`.
 */
import type { DeliveryMode, GroupFailurePolicy, MessageRecord, MessageStatus } from './message.js';

/**
 * What an adapter declares it can do. The conformance suite reads it: what an adapter declares is
 * proven (over a second connection when the harness gives `connect()`), and a test of something it
 * does not declare is skipped with a note saying why, never passed silently.
 *
 * @category Adapter contract
 */
export interface AdapterCapabilities {
  /**
   * How concurrent `claim` calls are kept apart: `row-locks` (SELECT … FOR UPDATE SKIP LOCKED) and
   * `single-writer` (the storage serialises every write, as SQLite does) hold across connections and
   * processes; `in-process` holds only among callers in one JavaScript process that share the data
   * (the memory adapter).
   */
  claimIsolation: 'row-locks' | 'single-writer' | 'in-process';
  /**
   * True when {@link StorageAdapter.acquireRunLock} keeps out owners in other processes and on other
   * machines (the lock lives in the shared storage). Requires `acquireRunLock` and `releaseRunLock`.
   */
  crossProcessRunLock: boolean;
  /**
   * True when {@link StorageAdapter.insert} can write through the caller's own transaction
   * ({@link InsertContext.transaction}), so a message commits or rolls back with the business write.
   */
  transactionalInsert: boolean;
  /**
   * True when the adapter keeps gates ({@link StorageAdapter.setGate}, {@link StorageAdapter.gates})
   * and its claims honour them, for every process over the same storage. Absent: false.
   */
  gates?: boolean;
  /**
   * True when the adapter keeps rate-limit slots ({@link StorageAdapter.takeSlots},
   * {@link StorageAdapter.returnSlots}) in the shared storage, so a limit holds for every process
   * together. Absent: false.
   */
  rateLimits?: boolean;
}

/**
 * What {@link StorageAdapter.insert} is given besides the records.
 *
 * @category Adapter contract
 */
export interface InsertContext {
  /**
   * The caller's open transaction, in the adapter's client's own form (a Prisma interactive
   * transaction client, a pg client after BEGIN, a Kysely or Drizzle transaction). When given, every
   * statement of the insert runs through it and none through the adapter's own connection; an
   * adapter without {@link AdapterCapabilities.transactionalInsert} is never given one.
   */
  transaction?: unknown;
}

/**
 * A message to insert. `payload` is already validated and serialised to JSON text.
 *
 * @category Adapter contract
 */
export interface InsertRecord {
  /**
   * The queue's name. A table (or store) can hold several named queues: an adapter keeps them
   * apart — claims, recycles, counts, dedupe keys, groups and retries see only their own queue's
   * messages — or, over a table with no queue column, holds one queue whatever the name.
   */
  queue: string;
  id: string;
  payload: string;
  priority: number;
  dedupeKey: string | null;
  /** Ordered group, or null. */
  groupKey: string | null;
  /** Absolute time before which it must not be claimed, or null to use {@link InsertRecord.delayMs}. */
  availableAt: Date | null;
  /** Milliseconds from the storage's now; used when `availableAt` is null. */
  delayMs: number;
}

/**
 * The outcome of inserting one record.
 *
 * @category Adapter contract
 */
export type InsertOutcome =
  /** Stored under the given id. */
  | { id: string; created: true }
  /** A message with the same dedupe key exists; nothing was written. `id` is the existing one. */
  | { id: string; created: false };

/**
 * Arguments of {@link StorageAdapter.claim}.
 *
 * @category Adapter contract
 */
export interface ClaimRequest {
  /** The queue to claim from (see {@link InsertRecord.queue}). */
  queue: string;
  limit: number;
  token: string;
  leaseMs: number;
  /** Whether a FAILED or HELD message holds back the later messages of its group. */
  groupPolicy: GroupFailurePolicy;
  /**
   * Claim and guard in one write: the caller starts every claimed message's send at once, so the
   * adapter may write them straight to SENDING (the lease it just set is more than any guard's
   * margin) and return them so. Messages it returns PROCESSING are guarded as usual. Absent: false.
   */
  guard?: boolean;
}

/**
 * Arguments of {@link StorageAdapter.ackAndClaim}: the acks of sends that finished, and the next claim.
 *
 * @category Adapter contract
 */
export interface AckAndClaimRequest {
  /** Messages whose sends succeeded: each acknowledged exactly as {@link StorageAdapter.ackMany} would. */
  acks: readonly { id: string; token: string }[];
  /** The claim, exactly as {@link StorageAdapter.claim} would make it. */
  claim: ClaimRequest;
}

/**
 * The answer of {@link StorageAdapter.ackAndClaim}: one outcome per ack in request order, and the
 * claimed messages as {@link StorageAdapter.claim} returns them.
 *
 * @category Adapter contract
 */
export interface AckAndClaimOutcome {
  acks: FencedOutcome[];
  records: ClaimedRecord[];
}

/**
 * Arguments of {@link StorageAdapter.retry}.
 *
 * @category Adapter contract
 */
export interface RetryRequest {
  /** The queue the message must belong to. */
  queue: string;
  id: string;
  /** The statuses it may be in (FAILED, HELD); anything else changes nothing. */
  from: readonly MessageStatus[];
}

/**
 * Arguments of {@link StorageAdapter.guard}.
 *
 * @category Adapter contract
 */
export interface GuardRequest {
  id: string;
  token: string;
  /** Refuse unless at least this much lease is left (storage clock). */
  minLeaseMs: number;
}

/**
 * Arguments of {@link StorageAdapter.settle}: end or pause a claim.
 *
 * @category Adapter contract
 */
export interface SettleRequest {
  id: string;
  token: string;
  /** The statuses the message may be in; any other means the transition is refused. */
  from: readonly MessageStatus[];
  to: 'SENT' | 'PENDING' | 'FAILED' | 'HELD';
  /** With `to: 'PENDING'`: claimable again this many milliseconds after the storage's now. */
  delayMs: number;
  /** Recorded in `lastError`; null keeps the current value. */
  error: string | null;
  /** Give the claim's attempt back (release): `attempts - 1`, never below 0. */
  refundAttempt: boolean;
  /** Set `possiblySent` (the send may have arrived); false leaves the flag as it is. */
  possiblySent: boolean;
}

/**
 * Arguments of {@link StorageAdapter.extendLease}.
 *
 * @category Adapter contract
 */
export interface ExtendRequest {
  id: string;
  token: string;
  /** New lease end = storage now + leaseMs. */
  leaseMs: number;
}

/**
 * A claimed message as {@link StorageAdapter.claim} answers it: what a worker needs to send it and
 * the adapter to put it in claim order — a {@link MessageRecord} without `lastError` and
 * `updatedAt` (a full record is one too).
 *
 * @category Adapter contract
 */
export type ClaimedRecord = Omit<MessageRecord, 'lastError' | 'updatedAt'>;

/**
 * A message's state after (or instead of) a transition: what the core needs to answer, never the
 * payload. A full {@link MessageRecord} is one too.
 *
 * @category Adapter contract
 */
export type MessageState = Pick<MessageRecord, 'id' | 'status' | 'attempts' | 'availableAt' | 'claimToken' | 'leaseUntil' | 'possiblySent'>;

/**
 * The answer of a fenced transition. On refusal the adapter re-reads the message (after the failed
 * compare-and-set, outside any transaction) so the core can explain why; that read is advisory.
 *
 * @category Adapter contract
 */
export type FencedOutcome = { ok: true; record: MessageState } | { ok: false; current: MessageState | null; now: Date };

/**
 * Arguments of {@link StorageAdapter.guardMany}: one window of claimed messages about to be sent.
 *
 * @category Adapter contract
 */
export interface GuardManyRequest {
  messages: readonly { id: string; token: string }[];
  /** Refuse a message unless at least this much of its lease is left (storage clock). */
  minLeaseMs: number;
}

/**
 * Arguments of {@link StorageAdapter.ackAndGuard}: the acks of sends that finished, and the next
 * window of claimed messages about to be sent.
 *
 * @category Adapter contract
 */
export interface AckAndGuardRequest {
  /** Messages whose sends succeeded: each acknowledged exactly as {@link StorageAdapter.ackMany} would. */
  acks: readonly { id: string; token: string }[];
  /** The window to guard, exactly as {@link StorageAdapter.guardMany} would. */
  guard: GuardManyRequest;
}

/**
 * The answer of {@link StorageAdapter.ackAndGuard}: one outcome per ack and per guarded message, in
 * request order.
 *
 * @category Adapter contract
 */
export interface AckAndGuardOutcome {
  acks: FencedOutcome[];
  guards: FencedOutcome[];
}

/**
 * Arguments of {@link StorageAdapter.recycle}.
 *
 * @category Adapter contract
 */
export interface RecycleRequest {
  /** The queue whose rows to recycle. */
  queue: string;
  maxAttempts: number;
  deliveryMode: DeliveryMode;
  /** At most this many rows per call. */
  limit: number;
  /**
   * Also take back rows in flight without a lease — written by other code, such as a hand-rolled
   * queue before the switch — once their `updatedAt` is this old (storage clock). Nobody knows
   * whether they were sent, so they go where an expired SENDING row goes: PENDING flagged
   * `possiblySent` (FAILED when out of attempts) in at-least-once, HELD in at-most-once.
   */
  orphanGraceMs: number;
}

/**
 * What {@link StorageAdapter.recycle} did, by id.
 *
 * @category Adapter contract
 */
export interface RecycleOutcome {
  /** Expired PROCESSING → PENDING. */
  released: string[];
  /** Expired SENDING → PENDING with `possiblySent` (at-least-once). */
  releasedPossiblySent: string[];
  /** Expired SENDING → HELD (at-most-once). */
  held: string[];
  /** Expired in flight with attempts ≥ maxAttempts → FAILED. */
  failed: string[];
  /** Of the ids above, those that were in flight without a lease (left by other code). */
  orphans: string[];
}

/**
 * Arguments of {@link StorageAdapter.snapshot}.
 *
 * @category Adapter contract
 */
export interface SnapshotRequest {
  /** The queue to read figures of. */
  queue: string;
  /** Count rows in flight (PROCESSING/SENDING) whose last state change is older than this. */
  inFlightAlertMs: number;
  /** Count FAILED rows whose last state change is within this window. */
  failedWindowMs: number;
  /** Count rows that became SENT or FAILED within this window (the throughput). Absent: do not count. */
  throughputWindowMs?: number;
  /** At most this many sample rows per list. */
  sampleSize: number;
  /** With `block`, count groups held back by a FAILED or HELD message. */
  groupPolicy: GroupFailurePolicy;
}

/**
 * Raw figures for `diagnose`, read from one consistent snapshot of the storage (so the counts add up)
 * at `now`, the storage's clock.
 *
 * @category Adapter contract
 */
export interface StorageSnapshot {
  now: Date;
  counts: Record<MessageStatus, number>;
  /**
   * Optional: statuses whose count is an estimate (the database's statistics) rather than a count
   * — a table's SENT history, millions of rows that no alert depends on.
   */
  estimated?: readonly MessageStatus[];
  /** Oldest `createdAt` among PENDING rows. */
  oldestPendingCreatedAt: Date | null;
  /** PENDING rows whose `availableAt` has passed. */
  duePending: number;
  /** PROCESSING/SENDING rows whose lease has expired (the recycler has not run since). */
  expiredInFlight: number;
  /** PROCESSING/SENDING rows with a lease whose last state change is older than `inFlightAlertMs`. */
  inFlightTooLong: number;
  /**
   * PROCESSING/SENDING rows without a lease: written by other code (the queue before the switch).
   * `recycle` takes them back once unchanged for its `orphanGraceMs`.
   */
  orphanedInFlight: number;
  /**
   * Optional, for stores with a session time zone: PENDING rows that look due in the future by about
   * the session's UTC offset (local wall time written into a column read as UTC), and that offset.
   */
  pendingShiftedByTimeZone?: { rows: number; offsetMinutes: number } | null;
  /** FAILED rows that changed state within `failedWindowMs`. */
  failedInWindow: number;
  /**
   * Optional, when asked with `throughputWindowMs`: rows whose last state change, within that window,
   * made them SENT or FAILED (rows purged since are not counted).
   */
  finishedInThroughputWindow?: { SENT: number; FAILED: number };
  /** Rows flagged `possiblySent` that are not yet SENT/FAILED (waiting to be resent). */
  possiblySentPending: number;
  /** Dedupe keys that appear on more than one row (a table without a unique index). */
  duplicateDedupeKeys: number;
  /** With groupPolicy `block`: groups with a FAILED or HELD message and a PENDING one after it. */
  blockedGroups: number;
  /** A few rows of each problem kind: expired, orphaned and held oldest first, failed newest first. */
  samples: {
    expiredInFlight: MessageRecord[];
    orphanedInFlight: MessageRecord[];
    failed: MessageRecord[];
    held: MessageRecord[];
  };
}

/**
 * Arguments of {@link StorageAdapter.find}: the rows an operator's action would touch. Read-only.
 *
 * @category Adapter contract
 */
export interface FindRequest {
  /** The queue whose rows to read. */
  queue: string;
  /** Rows in one of these statuses. */
  statuses: readonly MessageStatus[];
  /** Only these ids (absent ones are simply not found). */
  ids?: readonly string[];
  /** Only rows whose last state change (`updatedAt`) is at least this many ms before the storage's now. */
  olderThanMs?: number;
  /** Only rows whose `lastError` contains this text, as given (case-sensitive). */
  errorContains?: string;
  /** Only rows of this group key. */
  groupKey?: string;
  /** Only rows whose `possiblySent` flag is this (a list of what waits to be resent: `true`). */
  possiblySent?: boolean;
  /** At most this many rows, oldest state change first (then id). */
  limit: number;
  /** Skip this many rows of that order first (a page of a list). Default 0. */
  offset?: number;
}

/**
 * What {@link StorageAdapter.find} read: the rows, and the storage's now when it read them.
 *
 * @category Adapter contract
 */
export interface FindResult {
  now: Date;
  /**
   * The rows, without their payload: a plan never shows it, and an action over 100,000 rows would
   * spend most of its time reading payloads. (An adapter that returns it anyway is not wrong.)
   */
  rows: FoundRow[];
}

/**
 * A row as {@link StorageAdapter.find} read it: the record without its payload.
 *
 * @category Adapter contract
 */
export type FoundRow = Omit<MessageRecord, 'payload'>;

/**
 * A row of an operator's plan as it was read: the change applies only while the row still matches.
 *
 * @category Adapter contract
 */
export interface OperateItem {
  id: string;
  status: MessageStatus;
  claimToken: string | null;
  attempts: number;
  /** Its last state change, to the millisecond: every transition moves it, so a row that went round and came back does not match. */
  updatedAt: Date;
}

/**
 * Arguments of {@link StorageAdapter.operate}: one transition an operator planned (from a dry run)
 * for some rows, each fenced on the status, claim token, attempts and last change the plan saw.
 *
 * @category Adapter contract
 */
export interface OperateRequest {
  queue: string;
  items: readonly OperateItem[];
  /**
   * The new status — claim token and lease cleared, `updatedAt` now, and for PENDING `availableAt`
   * now — or `DELETE` to remove the rows.
   */
  to: 'PENDING' | 'SENT' | 'HELD' | 'FAILED' | 'CANCELLED' | 'DELETE';
  /** Reset `attempts` to 0 (a retry). */
  resetAttempts: boolean;
  /** Set `possiblySent` (the row may have been delivered and will be sent again); false leaves it. */
  possiblySent: boolean;
  /** Recorded in `lastError`; null leaves it. */
  note: string | null;
}

/**
 * Arguments of {@link StorageAdapter.acquireRunLock}.
 *
 * @category Adapter contract
 */
export interface RunLockRequest {
  name: string;
  owner: string;
  /** The lock lapses by itself this long after it was taken (storage clock), so a crash cannot keep it. */
  ttlMs: number;
}

/**
 * A gate: flow-control state shared by every process draining a queue — of the whole queue (`key`
 * null) or of one key of it (a group key). A gate is closed while it is paused until resumed, or
 * paused for a while (`pausedUntil` after the storage's now); a claim takes nothing behind a closed gate.
 *
 * @category Adapter contract
 */
export interface Gate {
  queue: string;
  /** A group key of the queue, or null for the queue itself. */
  key: string | null;
  /** Paused by an operator (`queue.pause`) until resumed. */
  paused: boolean;
  /** Paused until this time (`pauseFor`: a provider's Retry-After), or null. */
  pausedUntil: Date | null;
  /** Why, in the words of whoever closed it. */
  note: string | null;
  /** Its last change (storage clock). */
  updatedAt: Date;
}

/**
 * Arguments of {@link StorageAdapter.setGate}: one change to one gate. Fields left out keep their value.
 *
 * @category Adapter contract
 */
export interface GateChange {
  queue: string;
  /** A group key, or null for the whole queue. */
  key: string | null;
  /** Pause (true) or resume (false). */
  paused?: boolean;
  /**
   * Pause the gate until the storage's now + `pauseForMs`: a later end already set is kept (two
   * processes that both got a 429 pause it until the later of the two). `null` lifts the timed pause.
   */
  pauseForMs?: number | null;
  /** Recorded with the change (null clears it). */
  note?: string | null;
}

/**
 * What {@link StorageAdapter.gates} read: the queue's closed gates, and the storage's now.
 *
 * @category Adapter contract
 */
export interface GatesSnapshot {
  now: Date;
  /** Closed gates of the queue (the queue's own first, then by key); an open gate is not listed. */
  gates: Gate[];
}

/**
 * The storage contract. Implement it to run the queue on another store, then run the conformance suite.
 *
 * @category Adapter contract
 */
export interface StorageAdapter {
  /** A short name for logs and reports (`memory`, `prisma:postgresql`, …). */
  readonly name: string;
  /**
   * What this adapter drains, within the storage its run locks live in: the same value for every
   * adapter over the same table (`table:msgqueue_messages`), another for another table. It names the
   * run lock of `runOnce`, so ticks over two tables never block each other and ticks over one table
   * do, from any process. Default: {@link StorageAdapter.name}.
   */
  readonly storageKey?: string;
  readonly capabilities: AdapterCapabilities;

  /**
   * Insert messages, all or nothing per record. A record whose id or dedupe key already exists is
   * not written and answers `created: false` with the existing id. Outcomes are in input order.
   */
  insert(records: readonly InsertRecord[], context?: InsertContext): Promise<InsertOutcome[]>;

  /**
   * Atomically move up to `limit` PENDING rows whose `availableAt` has passed to PROCESSING,
   * ordered by priority, availableAt, id: stamp `token`, set `leaseUntil = now + leaseMs`,
   * `attempts + 1`, and return them. Concurrent calls never return the same row, and a call never
   * returns more than `limit` rows.
   *
   * Groups: a row with a group key is claimable only when no other row of its group is PROCESSING
   * or SENDING, and none created before it (by createdAt, then id) is PENDING — due or not — or,
   * with `groupPolicy: 'block'`, FAILED or HELD. So a group has at most one message in flight, and
   * its messages go in enqueue order.
   *
   * Gates (adapters declaring `capabilities.gates`): nothing is claimed from a queue whose gate is
   * closed, and no row whose group key's gate is closed (see {@link Gate}).
   */
  claim(request: ClaimRequest): Promise<ClaimedRecord[]>;

  /**
   * One compare-and-set: PROCESSING → SENDING where id and token match and at least `minLeaseMs`
   * of lease is left. Anything else changes nothing and is refused.
   */
  guard(request: GuardRequest): Promise<FencedOutcome>;

  /**
   * Optional: {@link StorageAdapter.guard} for several messages in one round trip — each message
   * fenced on its own, exactly as `guard` would; outcomes in request order. Without it the core
   * guards one message at a time.
   */
  guardMany?(request: GuardManyRequest): Promise<FencedOutcome[]>;

  /**
   * Optional: acknowledge several messages in one round trip — for each, SENDING or PROCESSING →
   * SENT where id and token match, token and lease cleared, exactly as `settle` to SENT would;
   * outcomes in request order. Without it the core acknowledges one message at a time.
   */
  ackMany?(messages: readonly { id: string; token: string }[]): Promise<FencedOutcome[]>;

  /**
   * Optional: {@link StorageAdapter.ackMany} and {@link StorageAdapter.guardMany} in one round trip,
   * for a tick whose next window starts while earlier sends' acks wait. Every message is fenced on
   * its own exactly as those two would; the two lists never share a message. Either both are
   * written or the call fails and neither is. Without it the core writes the acks, then guards.
   */
  ackAndGuard?(request: AckAndGuardRequest): Promise<AckAndGuardOutcome>;

  /**
   * Optional: {@link StorageAdapter.ackMany} and {@link StorageAdapter.claim} in one round trip, for
   * a tick whose next claim starts while the last batch's acks wait. Each ack is fenced on its own
   * exactly as `ackMany`'s; the claim is exactly `claim`'s, on the database's state before the acks
   * (a group whose message is acked here stays held back until the next claim). Either both are
   * written or the call fails and neither is. Without it the core writes the acks, then claims.
   */
  ackAndClaim?(request: AckAndClaimRequest): Promise<AckAndClaimOutcome>;

  /**
   * One compare-and-set from `from` to `to` where id and token match; clears the token and lease.
   * `to: 'PENDING'` sets `availableAt = now + delayMs`.
   */
  settle(request: SettleRequest): Promise<FencedOutcome>;

  /** One compare-and-set on a PROCESSING or SENDING row with this id and token: `leaseUntil = now + leaseMs`. */
  extendLease(request: ExtendRequest): Promise<FencedOutcome>;

  /**
   * Recycle rows in flight whose lease has expired, and rows in flight without a lease once
   * `orphanGraceMs` old. Each row's update re-checks, in the same statement, that it is still in
   * flight and still expired (or still without a lease): a row acknowledged a moment ago is never
   * overwritten.
   */
  recycle(request: RecycleRequest): Promise<RecycleOutcome>;

  /**
   * Read the figures `diagnose` reports. Read-only, and from one consistent snapshot: one statement,
   * or several inside one transaction at snapshot isolation (PostgreSQL REPEATABLE READ, InnoDB's
   * consistent read, a SQLite read transaction), so no row is counted twice or missed while
   * other workers move rows between statuses.
   */
  snapshot(request: SnapshotRequest): Promise<StorageSnapshot>;

  /** One message by id, or null. */
  get(id: string): Promise<MessageRecord | null>;

  /**
   * An operator's retry: FAILED or HELD → PENDING, due now, attempts reset to 0, where the status
   * is one of `from`. Refused (with the row) otherwise.
   */
  retry(request: RetryRequest): Promise<FencedOutcome>;

  /**
   * Rows of a queue matching an operator's filter, with the storage's now. Read-only. The rows an
   * operator is shown in a dry run, and the plan `operate` then applies.
   */
  find(request: FindRequest): Promise<FindResult>;

  /**
   * Optional: the names of the queues that have messages in this storage, in the storage's order;
   * null when it holds one queue whatever the name (a table without a queue column). Read-only. What
   * an operator's tools list (the CLI reports every queue by default); a queue whose messages have
   * all been purged has none, so it is not listed.
   */
  queueNames?(): Promise<string[] | null>;

  /**
   * Apply one operator transition to each item, as one compare-and-set per row (or one fenced
   * statement per batch): a row changes only if its queue, status, claim token, attempts and
   * `updatedAt` are still those of the item, so a row that moved since the plan was read is left alone. Clearing
   * the token fences out whoever owned the row: their guard and ack are refused. Answers, in item
   * order, whether each row changed.
   */
  operate(request: OperateRequest): Promise<boolean[]>;

  /**
   * Take the named run lock for `owner` if it is free or has lapsed; true when taken. Used by
   * `runOnce` to keep overlapping cron ticks apart. Optional: without it, ticks overlap safely
   * (claims never share rows) but concurrently.
   */
  acquireRunLock?(request: RunLockRequest): Promise<boolean>;

  /** Release the named run lock if `owner` still holds it. */
  releaseRunLock?(request: { name: string; owner: string }): Promise<void>;

  /**
   * Change one gate in one atomic step and answer it as it now is (open, once neither paused nor
   * paused for a while: an open gate may be forgotten). From the next claim on, in any process, {@link claim} takes
   * nothing of a queue whose gate is closed, nor a message whose group key's gate is closed; claims
   * already made are not undone. Optional, with {@link gates}: declared by `capabilities.gates`.
   */
  setGate?(change: GateChange): Promise<Gate>;

  /** The queue's closed gates (read-only). */
  gates?(request: { queue: string }): Promise<GatesSnapshot>;

  /**
   * Optional: call `onWake` soon after messages of `queue` are committed by any process (PostgreSQL's
   * LISTEN/NOTIFY), so an idle worker (`queue.work`) looks at once instead of at its next poll. A
   * wake-up is a hint, never a promise: a lost connection just leaves the worker polling.
   * Resolves once listening; `close` stops it.
   */
  listen?(request: { queue: string; onWake: () => void }): Promise<Listening>;

  /**
   * Take up to `want` of the `max` slots of a rate limit (the queue's, or one key's) that are free:
   * a slot is free once the storage's now has passed its `freeAt`. A taken slot is marked with
   * `holder` and `freeAt` = now + `leaseMs` + `perMs` (so a crashed holder's slot comes back by
   * itself), until {@link returnSlots} says when its send ended. Concurrent callers, in any process,
   * never get the same slot. Optional, with `returnSlots` and `slotsInUse`: declared by
   * `capabilities.rateLimits`.
   */
  takeSlots?(request: SlotRequest): Promise<SlotGrant>;

  /**
   * Give back slots `holder` took: a used slot is free again `perMs` after the storage's now (the
   * window counts from the end of the send), an unused one at once. A slot `holder` no longer has
   * (its lease ran out and another took it) is left alone.
   */
  returnSlots?(request: { queue: string; holder: string; slots: SlotReturn[] }): Promise<void>;

  /** The rate-limit slots of a queue that are not free now, by key (read-only; at most 1,000 keys). */
  slotsInUse?(request: { queue: string }): Promise<SlotsSnapshot>;
}

/**
 * Arguments of {@link StorageAdapter.takeSlots}.
 *
 * @category Adapter contract
 */
export interface SlotRequest {
  queue: string;
  /** The limit's key (a sender, a conversation), or null for the queue's own limit. */
  key: string | null;
  /** The limit: at most `max` sends within any `perMs`. Slots are numbered 0 … max − 1. */
  max: number;
  perMs: number;
  /** How long the taker may keep a slot before it frees by itself (the lease of its messages). */
  leaseMs: number;
  /** How many slots the caller would use (1 … max). */
  want: number;
  /** Who takes them (one per tick); {@link StorageAdapter.returnSlots} is fenced by it. */
  holder: string;
}

/**
 * What {@link StorageAdapter.takeSlots} answers.
 *
 * @category Adapter contract
 */
export interface SlotGrant {
  /** The slots taken (fewer than asked, or none, when the others are in use). */
  slots: number[];
  /** When fewer were taken than asked: how soon (ms) the next slot may free, as far as the storage knows; else null. */
  retryInMs: number | null;
}

/**
 * One slot given back with {@link StorageAdapter.returnSlots}.
 *
 * @category Adapter contract
 */
export interface SlotReturn {
  /** As in {@link SlotRequest.key}. */
  key: string | null;
  slot: number;
  /** The send it was taken for happened (or may have): free `perMs` from now. False: free at once. */
  used: boolean;
  perMs: number;
}

/**
 * What {@link StorageAdapter.slotsInUse} read.
 *
 * @category Adapter contract
 */
export interface SlotsSnapshot {
  now: Date;
  /** Keys with slots not free now (null: the queue's own limit), the most used first. */
  keys: { key: string | null; busy: number; nextFreeAt: Date }[];
}

/**
 * What {@link StorageAdapter.listen} answers once it listens.
 *
 * @category Adapter contract
 */
export interface Listening {
  /** Stop listening and let go of the connection it held. */
  close(): Promise<void>;
}
