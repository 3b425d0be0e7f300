import { randomUUID } from 'node:crypto';
import { claimBatch } from './claim-batch.js';
import { invalidArgument } from './errors/msgqueue-error.js';
import { classifySendError, type SendOutcome } from './errors/send-errors.js';
import { guardBeforeSend } from './guard-before-send.js';
import { queueState, runLockName } from './in-process.js';
import { LIMITS, type ResolvedOptions } from './options.js';
import { type RecycleSummary, recycleStuck } from './recycle-stuck.js';
import { ack, fail, release } from './settle.js';
import type { ClaimedMessage, RefusalReason } from './types.js';
import { bool, checkOptions, fn, int, oneOf } from './validate.js';

/** What `send` receives besides the message. */
export interface SendContext {
  /**
   * Aborted before the message's lease runs out (or the tick's budget, whichever is first): pass it
   * to fetch() so a send never outlives its lease, when the recycler could hand it to another worker.
   */
  signal: AbortSignal;
}

/** Options of {@link Queue.runOnce}. */
export interface RunOnceOptions<P> {
  /**
   * Deliver one message. Resolve when the provider accepted it; throw to fail the attempt.
   * Throw a {@link PermanentSendError} (or any error with `retryable: false`) to fail for good, a
   * {@link RetryableSendError} (`retryable: true`) when the provider certainly did not take it; any
   * other error means the outcome is unknown (see {@link SendOutcome}).
   * Pass `message.idempotencyKey` to the provider when it supports one.
   */
  send: (message: ClaimedMessage<P>, context: SendContext) => Promise<unknown>;
  /** Messages to claim this tick. Default: the queue's `batchSize`. */
  limit?: number;
  /** Wall time the tick may take; it starts no send it cannot finish and releases the rest. Default 25 s. */
  timeBudgetMs?: number;
  /** Stop starting sends when less than this is left of the budget. Default: a fifth of the budget, at most 5 s. */
  reserveMs?: number;
  /** Sends in parallel. Default 1 (in claim order). */
  concurrency?: number;
  /** Recycle expired rows before claiming. Default true. */
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
}

/** What one {@link Queue.runOnce} tick did. */
export interface RunSummary {
  /** Set when the tick did nothing because another tick was running. */
  skipped: null | 'overlap-in-process' | 'overlap-other-instance';
  recycled: RecycleSummary | null;
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
  /** Guard refusals by reason: these messages were not sent. */
  guardRefused: Partial<Record<RefusalReason, number>>;
  /** Sends that succeeded but whose ack was refused: another claim owns the message now. */
  staleAcks: number;
  /** Every transition refused as `stale-claim` this tick (guard, ack, fail, release): fencing at work. */
  staleClaims: number;
  /** Storage errors met while settling; those rows stay leased and are recycled later. */
  storageErrors: number;
  durationMs: number;
}

const RUN_KEYS = ['send', 'limit', 'timeBudgetMs', 'reserveMs', 'concurrency', 'recycle', 'overlap', 'classifyError'] as const;

/**
 * One cron tick: recycle, claim, then per message guard → send → ack or fail, inside a time budget.
 * Nothing thrown by `send` escapes: each failure is recorded on its message.
 */
export async function runOnce<P>(ctx: ResolvedOptions, options: RunOnceOptions<P>): Promise<RunSummary> {
  const o = checkOptions<RunOnceOptions<P>>(options, 'runOnce.options', RUN_KEYS);
  const send = fn<RunOnceOptions<P>['send']>(o.send, 'runOnce.options.send');
  if (!send) throw invalidArgument('runOnce.options.send', 'give the function that delivers one message.');
  const limit = int(o.limit, 'runOnce.options.limit', LIMITS.batchSize.min, LIMITS.batchSize.max, ctx.batchSize);
  const budget = int(o.timeBudgetMs, 'runOnce.options.timeBudgetMs', 100, 15 * 60_000, 25_000);
  const reserve = int(o.reserveMs, 'runOnce.options.reserveMs', 0, budget, Math.min(5_000, Math.floor(budget / 5)));
  const concurrency = int(o.concurrency, 'runOnce.options.concurrency', 1, 100, 1);
  const doRecycle = bool(o.recycle, 'runOnce.options.recycle', true);
  const overlap = oneOf(o.overlap, 'runOnce.options.overlap', ['skip', 'allow'] as const, 'skip');
  const classifyError = fn<(e: unknown) => SendOutcome>(o.classifyError, 'runOnce.options.classifyError') ?? classifySendError;

  const started = performance.now();
  const summary: RunSummary = {
    skipped: null,
    recycled: null,
    claimed: 0,
    sent: 0,
    retried: 0,
    failed: 0,
    held: 0,
    released: 0,
    alreadyWorking: 0,
    guardRefused: {},
    staleAcks: 0,
    staleClaims: 0,
    storageErrors: 0,
    durationMs: 0,
  };
  const finish = () => ({ ...summary, durationMs: Math.round(performance.now() - started) });

  const state = queueState(ctx.adapter, ctx.name);
  if (overlap === 'skip') {
    if (state.ticking) return { ...finish(), skipped: 'overlap-in-process' };
    state.ticking = true;
  }
  const lock = { name: runLockName(ctx.adapter, ctx.name), owner: randomUUID() };
  let locked = false;
  try {
    if (overlap === 'skip' && ctx.adapter.acquireRunLock) {
      locked = await ctx.adapter.acquireRunLock({ ...lock, ttlMs: budget + 10_000 });
      if (!locked) return { ...finish(), skipped: 'overlap-other-instance' };
    }
    if (doRecycle) summary.recycled = await recycleStuck(ctx);
    const claimedAt = performance.now();
    const claim = await claimBatch<P>(ctx, { limit });
    summary.claimed = claim.messages.length;
    // Sends stop half a guard margin before the lease ends, measured from before the claim.
    const leaseDeadline = claimedAt + ctx.leaseMs - ctx.guardMarginMs / 2;
    await work(ctx, state.working, claim.messages, { send, classifyError, budget, reserve, concurrency, started, leaseDeadline }, summary);
    ctx.logger.info({ queue: ctx.name, ...finish() }, 'msgqueue: tick done');
    return finish();
  } finally {
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

interface WorkPlan<P> {
  send: RunOnceOptions<P>['send'];
  classifyError: (e: unknown) => SendOutcome;
  leaseDeadline: number;
  budget: number;
  reserve: number;
  concurrency: number;
  started: number;
}

async function work<P>(
  ctx: ResolvedOptions,
  working: Set<string>,
  messages: ClaimedMessage<P>[],
  plan: WorkPlan<P>,
  summary: RunSummary,
): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('msgqueue: tick time budget exhausted')),
    Math.max(0, plan.budget - (performance.now() - plan.started)),
  );
  timer.unref?.();
  const queue = [...messages];
  const next = async (): Promise<void> => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      await one(ctx, m, plan, summary, working, controller.signal);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(plan.concurrency, messages.length) }, next));
  } finally {
    clearTimeout(timer);
  }
}

async function one<P>(
  ctx: ResolvedOptions,
  m: ClaimedMessage<P>,
  plan: WorkPlan<P>,
  summary: RunSummary,
  working: Set<string>,
  signal: AbortSignal,
): Promise<void> {
  const left = plan.budget - (performance.now() - plan.started);
  if (working.has(m.id) || left < plan.reserve) {
    if (working.has(m.id)) summary.alreadyWorking++;
    else summary.released++;
    await settleSafely(ctx, summary, () => release(ctx, m));
    return;
  }
  working.add(m.id);
  try {
    const guard = await guardBeforeSend(ctx, m);
    if (!guard.ok) {
      if (guard.reason === 'stale-claim') summary.staleClaims++;
      summary.guardRefused[guard.reason] = (summary.guardRefused[guard.reason] ?? 0) + 1;
      return;
    }
    let sendError: unknown;
    let threw = false;
    const leaseLeft = Math.max(0, Math.floor(plan.leaseDeadline - performance.now()));
    const sendSignal = AbortSignal.any([signal, AbortSignal.timeout(leaseLeft)]);
    try {
      await plan.send(m, { signal: sendSignal });
    } catch (error) {
      threw = true;
      sendError = error ?? new Error('send threw without an error');
    }
    if (!threw) {
      const acked = await settleSafely(ctx, summary, () => ack(ctx, m));
      if (acked?.ok) summary.sent++;
      else if (acked) summary.staleAcks++;
      return;
    }
    const kind = classify(plan.classifyError, sendError);
    const failed = await settleSafely(ctx, summary, () =>
      fail(ctx, m, sendError, { retryable: kind !== 'fail', maybeSent: kind === 'unknown' }),
    );
    if (failed?.ok) {
      if (failed.outcome === 'retry') summary.retried++;
      else if (failed.outcome === 'held') summary.held++;
      else summary.failed++;
    }
  } finally {
    working.delete(m.id);
  }
}

/** The user's classifier, defended: anything but a known outcome (or a throw) counts as unknown. */
function classify(classifier: (e: unknown) => SendOutcome, error: unknown): SendOutcome {
  try {
    const kind = classifier(error);
    return kind === 'fail' || kind === 'retry' ? kind : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Run a settle step; a storage error is logged and counted, the row stays leased for the recycler. */
async function settleSafely<T>(ctx: ResolvedOptions, summary: RunSummary, step: () => Promise<T>): Promise<T | null> {
  try {
    const result = await step();
    if ((result as { reason?: unknown } | null)?.reason === 'stale-claim') summary.staleClaims++;
    return result;
  } catch (err) {
    summary.storageErrors++;
    ctx.logger.error({ queue: ctx.name, err }, 'msgqueue: storage error while settling; the message stays leased and will be recycled');
    return null;
  }
}
