import { randomUUID } from 'node:crypto';
import { LIMITS, type ResolvedOptions } from '../config/options.js';
import { bool, checkOptions, fn, int, oneOf } from '../config/validate.js';
import type { ClaimedMessage } from '../contract/message.js';
import type { RunSummary, SendBatchResult, SendContext } from '../contract/results.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import { classifySendError, type SendOutcome } from '../errors/send-errors.js';
import { callHook } from '../observability/hooks.js';
import { applyRetention } from '../operator/purge.js';
import { claimForSend, type TickClaimResult } from '../worker/claim-batch.js';
import { recycleStuck } from '../worker/recycle-stuck.js';
import { queueState, runLockName } from './in-process.js';
import { TickLimits } from './tick-limits.js';
import { TickRates } from './tick-rates.js';
import { AckBatcher, type TickPlan, workBatch } from './tick-work.js';

/** Options of {@link Queue.runOnce}. Give `send` or `sendBatch`. */
export interface RunOnceOptions<P> {
  /**
   * Deliver one message. Resolve when the provider accepted it; throw to fail the attempt.
   * Throw a {@link PermanentSendError} (or any error with `retryable: false`) to fail for good, a
   * {@link RetryableSendError} (`retryable: true`) when the provider certainly did not take it; any
   * other error means the outcome is unknown (see {@link SendOutcome}).
   * Pass `message.idempotencyKey` to the provider when it supports one.
   */
  send?: (message: ClaimedMessage<P>, context: SendContext) => Promise<unknown>;
  /**
   * Instead of `send`, for a provider with a batch API: deliver up to `sendBatchSize` messages in one
   * call. Every message of a call is guarded right before it, so none is SENDING unless its call is
   * under way. Throwing fails every message of the call; see {@link SendBatchResult} for per-message
   * outcomes.
   */
  sendBatch?: (messages: ClaimedMessage<P>[], context: SendContext) => Promise<SendBatchResult>;
  /** Messages per `sendBatch` call. Default: `limit`. */
  sendBatchSize?: number;
  /** Messages per claim. Default: the queue's `batchSize`. The tick claims again until none is due. */
  limit?: number;
  /** At most this many claims in one tick. Default: no cap — the tick drains until nothing is due or its budget's reserve. */
  maxBatches?: number;
  /** Wall time the tick may take; it starts no send it cannot finish and releases the rest. Default 25 s. */
  timeBudgetMs?: number;
  /** Stop claiming and starting sends when less than this is left of the budget. Default: a fifth of the budget, at most 5 s. */
  reserveMs?: number;
  /** Sends in parallel (with `send`). Default 1 (in claim order). At most this many messages are SENDING at once. */
  concurrency?: number;
  /** Recycle expired rows before the first claim. Default true. */
  recycle?: boolean;
  /**
   * `skip` (default): a tick that finds another tick of this queue running, in this process or (with
   * an adapter that has a run lock) on another instance, does nothing. `allow`: run anyway; claims
   * never share messages, so overlapping ticks are safe, just concurrent — use it when several
   * processes should drain one table side by side.
   *
   * "This queue" is its storage and its name: in this process, the adapter instance and the queue
   * name; across processes, the run lock `msgqueue:tick:<adapter.storageKey>:<queue name>`. Queues
   * over two tables never block each other; two processes draining the same table do.
   */
  overlap?: 'skip' | 'allow';
  /** How an error thrown by `send` ended. Default {@link classifySendError}. */
  classifyError?: (error: unknown) => SendOutcome;
  /**
   * Stop early: once aborted, the tick claims nothing more and starts no send; sends already started
   * finish (their own signal is not aborted), and what was claimed but not started is released.
   * `queue.work` passes its own; a route can pass `request.signal`.
   */
  signal?: AbortSignal;
}

/** The options `runOnce` accepts (cronHandler passes them through). */
export const RUN_KEYS = [
  'send',
  'sendBatch',
  'sendBatchSize',
  'limit',
  'maxBatches',
  'timeBudgetMs',
  'reserveMs',
  'concurrency',
  'recycle',
  'overlap',
  'classifyError',
  'signal',
] as const;

/**
 * One cron tick: recycle once, then claim and work batches — each message guarded, sent, then
 * acknowledged in coalesced batches or failed — until nothing is due, `maxBatches` is reached or
 * the budget's reserve is left; the next claim overlaps the current batch's sends. Nothing thrown by
 * `send` escapes: each failure is recorded on its message.
 */
export async function runOnce<P>(ctx: ResolvedOptions, options: RunOnceOptions<P>): Promise<RunSummary> {
  return ctx.telemetry ? ctx.telemetry.tick(ctx.name, () => tick(ctx, options)) : tick(ctx, options);
}

async function tick<P>(ctx: ResolvedOptions, options: RunOnceOptions<P>): Promise<RunSummary> {
  const o = checkOptions<RunOnceOptions<P>>(options, 'runOnce.options', RUN_KEYS);
  const send = fn<NonNullable<RunOnceOptions<P>['send']>>(o.send, 'runOnce.options.send');
  const sendBatch = fn<NonNullable<RunOnceOptions<P>['sendBatch']>>(o.sendBatch, 'runOnce.options.sendBatch');
  if (!send && !sendBatch) throw invalidArgument('runOnce.options.send', 'give the function that delivers one message (or sendBatch).');
  if (send && sendBatch) throw invalidArgument('runOnce.options.sendBatch', 'give send or sendBatch, not both.');
  const limit = int(o.limit, 'runOnce.options.limit', LIMITS.batchSize.min, LIMITS.batchSize.max, ctx.batchSize);
  const maxBatches = int(o.maxBatches, 'runOnce.options.maxBatches', 1, 1_000_000, 1_000_000);
  const budget = int(o.timeBudgetMs, 'runOnce.options.timeBudgetMs', 100, 15 * 60_000, 25_000);
  const reserve = int(o.reserveMs, 'runOnce.options.reserveMs', 0, budget, Math.min(5_000, Math.floor(budget / 5)));
  const concurrency = int(o.concurrency, 'runOnce.options.concurrency', 1, 100, 1);
  const sendBatchSize = int(o.sendBatchSize, 'runOnce.options.sendBatchSize', 1, LIMITS.batchSize.max, limit);
  if (o.sendBatchSize !== undefined && !sendBatch) throw invalidArgument('runOnce.options.sendBatchSize', 'only applies with sendBatch.');
  const doRecycle = bool(o.recycle, 'runOnce.options.recycle', true);
  const stop = abortSignal(o.signal, 'runOnce.options.signal');
  const overlap = oneOf(o.overlap, 'runOnce.options.overlap', ['skip', 'allow'] as const, 'skip');
  const classifyError = fn<(e: unknown) => SendOutcome>(o.classifyError, 'runOnce.options.classifyError') ?? classifySendError;

  const timers = ctx.timers;
  const started = timers.now();
  const summary: RunSummary = {
    skipped: null,
    recycled: null,
    batches: 0,
    claimed: 0,
    sent: 0,
    retried: 0,
    failed: 0,
    held: 0,
    released: 0,
    alreadyWorking: 0,
    rateLimited: 0,
    throttled: 0,
    throttledForMs: null,
    guardRefused: {},
    staleAcks: 0,
    staleClaims: 0,
    storageErrors: 0,
    purged: 0,
    durationMs: 0,
  };
  const finish = (): RunSummary => {
    const done = { ...summary, durationMs: Math.round(timers.now() - started) };
    callHook(ctx.hooks, ctx.logger, 'tick', { ...done, queue: ctx.name });
    return done;
  };

  const state = queueState(ctx.adapter, ctx.name);
  if (overlap === 'skip') {
    if (state.ticking) {
      summary.skipped = 'overlap-in-process';
      return finish();
    }
    state.ticking = true;
  }
  const lock = { name: runLockName(ctx.adapter, ctx.name), owner: randomUUID() };
  let locked = false;
  const budgetController = new AbortController();
  const budgetTimer = timers.setTimeout(() => budgetController.abort(new Error('msgqueue: tick time budget exhausted')), budget);
  const plan: TickPlan<P> = {
    send,
    sendBatch,
    sendBatchSize,
    classifyError,
    concurrency,
    // Stopped from outside: no budget left, so nothing more is claimed or started.
    leftMs: () => (stop?.aborted ? -1 : budget - (timers.now() - started)),
    reserve,
    signal: budgetController.signal,
    stop,
    working: state.working,
    limits: new TickLimits(ctx),
    rates: new TickRates(ctx),
  };
  const acks = new AckBatcher(ctx, summary);
  try {
    if (overlap === 'skip' && ctx.adapter.acquireRunLock) {
      locked = await ctx.adapter.acquireRunLock({ ...lock, ttlMs: budget + 10_000 });
      if (!locked) {
        summary.skipped = 'overlap-other-instance';
        return finish();
      }
    }
    if (doRecycle) summary.recycled = await recycleStuck(ctx);
    await drain(ctx, plan, summary, acks, { limit, maxBatches });
    await acks.close(); // the last acks waited for a next window that never came
    await plan.rates.close();
    summary.throttledForMs = plan.rates.stoppedForMs;
    if (ctx.retention.sentMs !== null || ctx.retention.failedMs !== null || ctx.retention.cancelledMs !== null) {
      summary.purged = await applyRetention(ctx, () => plan.leftMs() > plan.reserve).catch((err: unknown) => {
        summary.storageErrors++;
        ctx.logger.error({ queue: ctx.name, err }, 'msgqueue: retention failed this tick; it runs again on the next');
        return 0;
      });
    }
    const done = finish();
    ctx.logger.info({ queue: ctx.name, ...done }, 'msgqueue: tick done');
    return done;
  } finally {
    timers.clearTimeout(budgetTimer);
    await acks.close();
    await plan.rates.close();
    if (overlap === 'skip') state.ticking = false;
    if (locked) {
      await ctx.adapter
        .releaseRunLock?.(lock)
        .catch((err: unknown) =>
          ctx.logger.warn({ queue: ctx.name, err }, 'msgqueue: could not release the run lock; it lapses by itself'),
        );
    }
  }
}

/**
 * Claim and work batches until nothing is due, `maxBatches` is reached or only the reserve is left.
 * When one window holds a whole batch, the claim is the batch's guard (its sends start at once); the
 * acks of a batch ride with the next claim where the adapter can (`ackAndClaim`), else they are
 * written before it. The first claim's storage error is the tick's; a later one ends the drain and
 * is counted.
 */
async function drain<P>(
  ctx: ResolvedOptions,
  plan: TickPlan<P>,
  summary: RunSummary,
  acks: AckBatcher,
  { limit, maxBatches }: { limit: number; maxBatches: number },
): Promise<void> {
  // A keyed rate limit sorts messages out right before their window: the claim cannot be their guard.
  const guard = !plan.rates.keys && (plan.sendBatch ? plan.sendBatchSize >= limit : plan.concurrency >= limit);
  for (;;) {
    if (plan.leftMs() < 0) return; // stopped before this claim
    // The queue's rate limit: claim no more than may be sent (waiting for slots while there is time).
    // Without one, no await here: the claim path keeps its frames.
    let take = limit;
    if (plan.rates.claims) {
      try {
        take = await plan.rates.beforeClaim(limit, plan);
      } catch (error) {
        if (summary.batches === 0) throw error;
        summary.storageErrors++;
        ctx.logger.error({ queue: ctx.name, err: error }, 'msgqueue: taking rate-limit slots failed mid-tick; the tick stops draining');
        return;
      }
      if (take === 0) return;
    }
    const riding = ctx.adapter.ackAndClaim ? acks.take() : [];
    await acks.close(); // without ackAndClaim: written before the claim (see AckBatcher.close)
    const claimedAt = ctx.timers.now();
    let result: TickClaimResult<P>;
    try {
      result = await claimForSend<P>(ctx, {
        limit: take,
        leaseMs: ctx.leaseMs,
        guard,
        acks: riding.map((b) => b.message),
      });
    } catch (error) {
      plan.rates.afterClaim([]); // the slots taken for it go back unused
      if (riding.length > 0) {
        acks.failed(riding, error);
        acks.record(riding, null);
      }
      if (summary.batches === 0) throw error;
      summary.storageErrors++;
      ctx.logger.error({ queue: ctx.name, err: error }, 'msgqueue: a claim failed mid-tick; the tick stops draining');
      return;
    }
    if (riding.length > 0) acks.record(riding, result.acked);
    const { messages } = result.claim;
    plan.rates.afterClaim(messages);
    if (messages.length === 0) return;
    summary.batches++;
    summary.claimed += messages.length;
    // Sends stop half a guard margin before the lease ends, measured from before the claim.
    await workBatch(ctx, messages, plan, summary, acks, claimedAt + ctx.leaseMs - ctx.guardMarginMs / 2, result.guarded);
    // The provider asked the whole queue to wait (a 429): the gate is closed, no claim would take anything.
    if (plan.limits.queueHeld) return;
    // A short claim: nothing more is due.
    if (messages.length < take || summary.batches >= maxBatches || plan.leftMs() <= plan.reserve) return;
  }
}

/** An AbortSignal (or undefined), checked by shape: any realm's signal will do. */
export function abortSignal(value: unknown, field: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const s = value as Partial<AbortSignal>;
  if (typeof s !== 'object' || s === null || typeof s.aborted !== 'boolean' || typeof s.addEventListener !== 'function') {
    throw invalidArgument(field, 'expected an AbortSignal (from an AbortController).');
  }
  return value as AbortSignal;
}
