import { type QueueOptions, type ResolvedOptions, resolveOptions } from '../config/options.js';
import { key } from '../config/validate.js';
import type { Gate, GatesSnapshot } from '../contract/adapter.js';
import type { Claim, ClaimRef, FailResult, MessageRecord, TransitionResult } from '../contract/message.js';
import type { DiagnoseReport, RecycleSummary, RunSummary } from '../contract/results.js';
import { type EnqueueItem, type EnqueueOptions, type EnqueueResult, enqueue, enqueueMany, type WriteOptions } from '../enqueue/enqueue.js';
import { type GateOptions, gates, pause, pauseFor, resume } from '../flow/gates.js';
import { type CancelOptions, cancel } from '../operator/cancel.js';
import { type DiagnoseOptions, diagnose } from '../operator/diagnose.js';
import { type FindOptions, type FoundMessages, find } from '../operator/find.js';
import { type MarkSentOptions, markSent } from '../operator/mark-sent.js';
import type { OperatorResult } from '../operator/plan.js';
import { type PurgeOptions, purge } from '../operator/purge.js';
import { type ReleaseStuckOptions, releaseStuck } from '../operator/release-stuck.js';
import { retry } from '../operator/retry.js';
import { type RetryManyOptions, retryMany } from '../operator/retry-many.js';
import { type RunOnceOptions, runOnce } from '../tick/run-once.js';
import { type WorkOptions, type WorkSummary, wakeWorkers, work } from '../tick/work.js';
import { type ClaimOptions, claimBatch } from '../worker/claim-batch.js';
import { checkRecord } from '../worker/fencing.js';
import { guardBeforeSend } from '../worker/guard-before-send.js';
import { type RecycleOptions, recycleStuck } from '../worker/recycle-stuck.js';
import { ack, type ExtendOptions, extendLease, type FailOptions, fail, type ReleaseOptions, release } from '../worker/settle.js';

/**
 * A queue over one table (or store). Every method validates its arguments before touching storage
 * and throws a {@link MsgQueueError} with a stable code when they are wrong. Fenced operations
 * (guard, ack, fail, release, extend) answer refusals as values: check `result.ok`.
 */
export interface Queue<P = unknown> {
  /** The resolved options, defaults filled in. */
  readonly options: Readonly<Omit<ResolvedOptions, 'adapter' | 'logger' | 'hooks' | 'telemetry' | 'timers'>>;
  /**
   * Store one message. With a `dedupeKey` already present, writes nothing and answers `created: false`.
   * Pass `transaction` to write it through your own open transaction (see {@link WriteOptions}).
   *
   * @example
   * ```ts
   * await prisma.$transaction(async (tx) => {
   *   const order = await tx.order.create({ data });
   *   await outbox.enqueue({ to, text: `Order ${order.id} confirmed` }, { transaction: tx, dedupeKey: `order:${order.id}` });
   * });
   * ```
   */
  enqueue(payload: P, options?: EnqueueOptions & WriteOptions): Promise<EnqueueResult>;
  /** Store many messages, validated all first; answers in input order. */
  enqueueMany(items: EnqueueItem<P>[], options?: WriteOptions): Promise<EnqueueResult[]>;
  /** Claim up to `limit` due messages under a fresh token and lease. */
  claimBatch(options?: ClaimOptions): Promise<Claim<P>>;
  /** Right before the external send: PROCESSING → SENDING if this claim still owns the message with lease to spare. */
  guardBeforeSend(message: ClaimRef): Promise<TransitionResult>;
  /** Sent: SENDING (or PROCESSING) → SENT, if this claim still owns the message. */
  ack(message: ClaimRef): Promise<TransitionResult>;
  /** A failed attempt: retry after backoff, or FAILED when out of attempts or not retryable. */
  fail(message: ClaimRef & { attempts?: number }, error: unknown, options?: FailOptions): Promise<FailResult>;
  /** Give an unsent message back (PROCESSING → PENDING) without counting the attempt. */
  release(message: ClaimRef, options?: ReleaseOptions): Promise<TransitionResult>;
  /** Push the lease end of a message this claim owns. */
  extendLease(message: ClaimRef, options?: ExtendOptions): Promise<TransitionResult>;
  /** Take back messages whose lease expired, by delivery mode and attempts. */
  recycleStuck(options?: RecycleOptions): Promise<RecycleSummary>;
  /**
   * Counts, ages, alerts and plain-words recommendations. Read-only, one consistent snapshot.
   *
   * @example
   * ```ts
   * const report = await outbox.diagnose();
   * if (!report.healthy) for (const f of report.findings) console.warn(f.code, f.message);
   * ```
   */
  diagnose(options?: DiagnoseOptions): Promise<DiagnoseReport>;
  /**
   * One cron tick: recycle, then claim, guard → send → ack/fail batch after batch until nothing is
   * due or the budget's reserve is left. Never throws for a failed send: each is recorded on its
   * message. In a route, prefer {@link cronHandler}, which adds auth and the budget from `maxDuration`.
   *
   * @example
   * ```ts
   * const summary = await outbox.runOnce({
   *   timeBudgetMs: 50_000,
   *   concurrency: 5,
   *   send: (m, { signal }) => provider.send(m.payload, { idempotencyKey: m.idempotencyKey, signal }),
   * });
   * if (summary.storageErrors > 0) alert(summary);
   * ```
   */
  runOnce(options: RunOnceOptions<P>): Promise<RunSummary>;
  /**
   * A long-running worker, for an app that can keep a process up: ticks back to back while messages
   * are due, a sleep of `idleMs` when none is — cut short when this process enqueues to the queue.
   * Abort `signal` to stop: no new claim or send, sends under way finish, the rest is released;
   * then it resolves with what it did. Workers and cron ticks drain one table side by side.
   *
   * @example
   * ```ts
   * const stop = new AbortController();
   * process.once('SIGTERM', () => stop.abort());
   * const done = await outbox.work({ signal: stop.signal, concurrency: 5, send: (m) => provider.send(m.payload) });
   * ```
   */
  work(options: WorkOptions<P>): Promise<WorkSummary>;
  /** An operator's retry: a FAILED or HELD message back to PENDING with its attempts reset. */
  retry(id: string): Promise<TransitionResult>;
  /** An operator's retry in bulk: FAILED (or HELD) messages by ids, age or error text; previewable with `dryRun`. */
  retryMany(options?: RetryManyOptions): Promise<OperatorResult>;
  /**
   * The provider confirms these arrived: HELD (or, with `allowFailed`, FAILED) → SENT; previewable.
   *
   * @example
   * ```ts
   * const plan = await outbox.markSent(id, { dryRun: true }); // plan.rows: [{ id, status: 'HELD', to: 'SENT', … }]
   * await outbox.markSent(id);
   * ```
   */
  markSent(ids: string | string[], options?: MarkSentOptions): Promise<OperatorResult>;
  /** Free messages stuck in flight: PROCESSING → PENDING, SENDING as you decide, live leases only with `force`; previewable. */
  releaseStuck(options: ReleaseStuckOptions): Promise<OperatorResult>;
  /** Delete finished (SENT, FAILED or CANCELLED) messages older than `olderThanMs`; previewable. */
  purge(options: PurgeOptions): Promise<OperatorResult>;
  /**
   * Cancel PENDING messages (due or delayed) by ids, group key, age or error text: CANCELLED, never
   * sent, `lastError` saying why; fenced like every operator action; previewable.
   *
   * @example
   * ```ts
   * const plan = await outbox.cancel({ groupKey: 'conversation:42', dryRun: true }); // plan.rows: [{ id, status: 'PENDING', to: 'CANCELLED', … }]
   * await outbox.cancel({ groupKey: 'conversation:42', note: 'customer unsubscribed' });
   * ```
   */
  cancel(options: CancelOptions): Promise<OperatorResult>;
  /**
   * A page of the queue's messages, filtered as an operator does (status, ids, group key, error text,
   * age, possibly sent), oldest change first — the order operator actions take them in — never the
   * payload. Read-only.
   *
   * @example
   * ```ts
   * const page = await outbox.find({ status: 'FAILED', errorContains: '429', limit: 50 });
   * const next = page.more ? await outbox.find({ status: 'FAILED', errorContains: '429', limit: 50, offset: 50 }) : null;
   * ```
   */
  find(options?: FindOptions): Promise<FoundMessages>;
  /** One message by id (for tests and tooling), or null. */
  get(id: string): Promise<MessageRecord<P> | null>;
  /**
   * Pause the queue — or, with `key`, one group key of it — for every process: from the next claim
   * on nothing behind the gate is claimed; sends already in flight finish. Until {@link Queue.resume}.
   *
   * @example
   * ```ts
   * await outbox.pause({ note: 'provider incident #4121' });
   * await outbox.pause({ key: 'conversation:42' }); // one conversation only
   * ```
   */
  pause(options?: GateOptions): Promise<Gate>;
  /** Resume what {@link Queue.pause} or {@link Queue.pauseFor} paused. */
  resume(options?: Omit<GateOptions, 'note'>): Promise<Gate>;
  /**
   * Pause the queue (or a group key) for `ms`, for every process: what a provider's 429 with
   * `Retry-After` asks; it opens again on its own. A later end already set is kept.
   */
  pauseFor(ms: number, options?: GateOptions): Promise<Gate>;
  /** The queue's closed gates: paused or held, the queue's own first. */
  gates(): Promise<GatesSnapshot>;
}

/**
 * Create a queue over a storage adapter.
 *
 * ```ts
 * import { createQueue, memoryAdapter } from '@org/msgqueue';
 * const queue = createQueue<{ to: string; text: string }>({ adapter: memoryAdapter() });
 * await queue.enqueue({ to: '+33…', text: 'Bonjour' });
 * const summary = await queue.runOnce({ send: (m) => sms.send(m.payload, { idempotencyKey: m.idempotencyKey }) });
 * ```
 */
export function createQueue<P = unknown>(options: QueueOptions): Queue<P> {
  const ctx = resolveOptions(options);
  const { adapter: _a, logger: _l, hooks: _h, telemetry: _t, timers: _timers, ...visible } = ctx;
  return {
    options: Object.freeze(visible),
    enqueue: async (payload, o) => {
      const result = await enqueue(ctx, payload, o);
      if (result.created) wakeWorkers(ctx);
      return result;
    },
    enqueueMany: async (items, o) => {
      const results = await enqueueMany(ctx, items, o);
      if (results.some((r) => r.created)) wakeWorkers(ctx);
      return results;
    },
    claimBatch: (o) => claimBatch<P>(ctx, o),
    guardBeforeSend: (m) => guardBeforeSend(ctx, m),
    ack: (m) => ack(ctx, m),
    fail: (m, e, o) => fail(ctx, m, e, o),
    release: (m, o) => release(ctx, m, o),
    extendLease: (m, o) => extendLease(ctx, m, o),
    recycleStuck: (o) => recycleStuck(ctx, o),
    diagnose: (o) => diagnose(ctx, o),
    runOnce: (o) => runOnce<P>(ctx, o),
    work: (o) => work<P>(ctx, o),
    retry: (id) => retry(ctx, id),
    retryMany: (o) => retryMany(ctx, o),
    markSent: (ids, o) => markSent(ctx, ids, o),
    releaseStuck: (o) => releaseStuck(ctx, o),
    cancel: (o) => cancel(ctx, o),
    find: (o) => find(ctx, o),
    purge: (o) => purge(ctx, o),
    pause: (o) => pause(ctx, o),
    resume: (o) => resume(ctx, o),
    pauseFor: (ms, o) => pauseFor(ctx, ms, o),
    gates: () => gates(ctx),
    get: async (id) => {
      const record = await ctx.adapter.get(key(id, 'get.id'));
      return record ? (checkRecord(record, ctx.adapter.name) as MessageRecord<P>) : null;
    },
  };
}
