/**
 * Working one claimed batch inside a cron tick: a window of at most `concurrency` messages is
 * guarded in one round trip right before their sends start (so no message is SENDING unless its
 * send is in flight or about to start), successes are acknowledged in coalesced batches, failures
 * recorded one by one, and what cannot start inside the budget is released.
 *
 * One timer per batch ends its sends before the batch's lease runs out (the lease is the same for
 * every message of a claim); no per-message timers or signals.
 */

import type { ResolvedOptions } from '../config/options.js';
import type { ClaimedMessage, TransitionResult } from '../contract/message.js';
import type { RunSummary, SendBatchResult, SendContext } from '../contract/results.js';
import { rateLimitOf, type SendOutcome } from '../errors/send-errors.js';
import { callHook } from '../observability/hooks.js';
import { ackAndGuard, guardMany } from '../worker/guard-before-send.js';
import { ackMany, errorText, fail, release, releaseRateLimited, releaseUnsent } from '../worker/settle.js';
import type { TickLimits } from './tick-limits.js';
import type { TickRates, TickTime } from './tick-rates.js';

/** What the tick decided once, for every batch. */
export interface TickPlan<P> extends TickTime {
  send: ((message: ClaimedMessage<P>, context: SendContext) => Promise<unknown>) | undefined;
  sendBatch: ((messages: ClaimedMessage<P>[], context: SendContext) => Promise<SendBatchResult>) | undefined;
  sendBatchSize: number;
  classifyError: (e: unknown) => SendOutcome;
  concurrency: number;
  /** Ids some tick of this queue is working on in this process. */
  working: Set<string>;
  /** The gates this tick's sends closed (a provider's 429). */
  limits: TickLimits;
  /** The rate-limit slots this tick holds. */
  rates: TickRates;
}

/** Acks are written at most this long after their send succeeded… */
const ACK_FLUSH_MS = 5;
/** …or as soon as this many are waiting. */
const ACK_BATCH = 100;

/** An ack waiting to be written: the message, and how long its send took. */
interface WaitingAck {
  message: ClaimedMessage;
  durationMs: number;
}

/**
 * Coalesces the acks of successful sends into one round trip: they ride along with the next
 * window's guard (`ackAndGuard`), or are written on their own (`ackMany`) when {@link ACK_BATCH}
 * are waiting, {@link ACK_FLUSH_MS} after the first one waits, and before the tick ends. A crash in
 * between leaves those messages SENDING under their lease, exactly as a crash before a single ack:
 * recycled after the lease as the delivery mode says.
 */
export class AckBatcher {
  private waiting: WaitingAck[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flushing = new Set<Promise<void>>();

  constructor(
    private readonly ctx: ResolvedOptions,
    private readonly summary: RunSummary,
  ) {}

  /** Queue the ack of a message sent in `durationMs`; {@link close} waits for it to be written. */
  add(message: ClaimedMessage, durationMs: number): void {
    this.waiting.push({ message, durationMs });
    if (this.waiting.length >= ACK_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), ACK_FLUSH_MS);
  }

  /** Hand over what is waiting, to be written with a guard; the caller passes the results to {@link record}. */
  take(): WaitingAck[] {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    return batch;
  }

  /** Write what is waiting now. */
  flush(): void {
    const batch = this.take();
    if (batch.length === 0) return;
    const p = this.write(batch).finally(() => this.flushing.delete(p));
    this.flushing.add(p);
  }

  /**
   * Write everything still waiting, and wait for every write. The tick does this before a claim the
   * acks cannot ride with: on MySQL/MariaDB a claim beside another transaction's uncommitted update
   * of the same index page can skip every row (InnoDB treats them as possibly locked under SKIP
   * LOCKED) and come back empty while work is due.
   */
  async close(): Promise<void> {
    this.flush();
    while (this.flushing.size > 0) await Promise.all([...this.flushing]);
  }

  private async write(batch: WaitingAck[]): Promise<void> {
    let results: TransitionResult[] | null = null;
    try {
      results = await ackMany(
        this.ctx,
        batch.map((b) => b.message),
      );
    } catch (err) {
      this.failed(batch, err);
    }
    this.record(batch, results);
  }

  /** Count a batch whose write failed: the messages stay leased. */
  failed(batch: WaitingAck[], err: unknown): void {
    this.summary.storageErrors += batch.length;
    this.ctx.logger.error(
      { queue: this.ctx.name, err, count: batch.length },
      'msgqueue: storage error while acknowledging; the messages stay leased and will be recycled',
    );
  }

  /** Count what the write of a batch answered (null: it failed). */
  record(batch: WaitingAck[], results: TransitionResult[] | null): void {
    for (const [i, b] of batch.entries()) {
      const r = results?.[i];
      if (r?.ok) {
        this.summary.sent++;
        callHook(this.ctx.hooks, this.ctx.logger, 'sent', { id: b.message.id, attempts: b.message.attempts, durationMs: b.durationMs });
      } else if (r) {
        this.summary.staleAcks++;
        if (r.reason === 'stale-claim') this.summary.staleClaims++;
      }
    }
  }
}

/**
 * Work one claimed batch; resolves once every message is sent and failed, released, or queued for
 * its ack on `acks` (the tick closes the batcher before it ends).
 */
export async function workBatch<P>(
  ctx: ResolvedOptions,
  messages: ClaimedMessage<P>[],
  plan: TickPlan<P>,
  summary: RunSummary,
  acks: AckBatcher,
  leaseDeadline: number,
  guarded: ReadonlySet<string>,
): Promise<void> {
  // One signal for the batch: aborted before its lease ends, or when the tick's budget is spent.
  const controller = new AbortController();
  const onBudget = () => controller.abort(plan.signal.reason);
  plan.signal.addEventListener('abort', onBudget, { once: true });
  const leaseTimer = ctx.timers.setTimeout(
    () => controller.abort(new DOMException('The send would outlive its lease', 'TimeoutError')),
    Math.max(0, leaseDeadline - ctx.timers.now()),
  );
  const context: SendContext = { signal: controller.signal };
  const settling = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    settling.add(p);
    void p.finally(() => settling.delete(p));
  };
  try {
    const queue = [...messages];
    // Sends under way (with sendBatch, the call under way), and how many messages they hold.
    const inFlight = new Set<Promise<void>>();
    let sending = 0;
    while (queue.length > 0 || inFlight.size > 0) {
      const free = plan.sendBatch ? (inFlight.size === 0 ? plan.sendBatchSize : 0) : plan.concurrency - sending;
      if (free > 0 && queue.length > 0) {
        if (plan.leftMs() < plan.reserve) {
          // Out of budget: give back, attempt not counted, everything not started.
          for (const m of queue.splice(0)) track(releaseUnstarted(ctx, m, summary, 'released', guarded, plan.rates));
          continue;
        }
        let ready: ClaimedMessage<P>[] = [];
        for (const m of queue.splice(0, free)) {
          if (plan.working.has(m.id)) track(releaseUnstarted(ctx, m, summary, 'alreadyWorking', guarded, plan.rates));
          else if (plan.limits.blocks(m)) track(releaseUnstarted(ctx, m, summary, 'rateLimited', guarded, plan.rates));
          else ready.push(m);
        }
        if (ready.length > 0 && plan.rates.keys) ready = await keyedSlots(ctx, ready, plan, summary, guarded, track);
        if (ready.length === 0) continue;
        for (const m of ready) plan.working.add(m.id);
        sending += ready.length;
        const go = await guardWindow(ctx, ready, summary, acks, guarded);
        if (go.length < ready.length) {
          for (const m of ready) {
            if (go.includes(m)) continue;
            plan.working.delete(m.id);
            plan.rates.done(m.id, false); // refused by its guard: not sent
          }
        }
        sending -= ready.length - go.length;
        const started = plan.sendBatch
          ? go.length > 0
            ? [{ work: sendAsBatch(ctx, go, plan, summary, acks, context), holds: go }]
            : []
          : go.map((m) => ({ work: sendOne(ctx, m, plan, summary, acks, context), holds: [m] }));
        for (const { work, holds } of started) {
          const p: Promise<void> = work.finally(() => {
            for (const m of holds) {
              plan.working.delete(m.id);
              plan.rates.done(m.id, true);
            }
            sending -= holds.length;
            inFlight.delete(p);
          });
          inFlight.add(p);
        }
        continue;
      }
      await Promise.race(inFlight);
    }
  } finally {
    ctx.timers.clearTimeout(leaseTimer);
    plan.signal.removeEventListener('abort', onBudget);
    // The acks wait for the next window's guard (or the batcher's timer, or the tick's end).
    while (settling.size > 0) await Promise.all([...settling]);
  }
}

/**
 * A window's keyed rate limits: answers the messages whose keys have a free slot; the others go back
 * to PENDING for when their key should have one, attempt not counted. A storage error gives the whole
 * window back the same way, at once.
 */
async function keyedSlots<P>(
  ctx: ResolvedOptions,
  ready: ClaimedMessage<P>[],
  plan: TickPlan<P>,
  summary: RunSummary,
  guarded: ReadonlySet<string>,
  track: (p: Promise<void>) => void,
): Promise<ClaimedMessage<P>[]> {
  try {
    const { go, later } = await plan.rates.forWindow(ready);
    for (const { message, delayMs } of later) track(releaseUnstarted(ctx, message, summary, 'throttled', guarded, plan.rates, delayMs));
    return go;
  } catch (err) {
    ctx.logger.error({ queue: ctx.name, err }, 'msgqueue: storage error while taking rate-limit slots; the window goes back unsent');
    summary.storageErrors++;
    for (const m of ready) track(releaseUnstarted(ctx, m, summary, 'released', guarded, plan.rates));
    return [];
  }
}

/**
 * Guard the messages about to be sent, writing the acks that wait in the same round trip; answers
 * those that may be sent, counting the refusals. A waiting ack never names a message of the window:
 * a message is acked after its own send, and `working` keeps a re-claimed copy out of this process.
 */
async function guardWindow<P>(
  ctx: ResolvedOptions,
  window: ClaimedMessage<P>[],
  summary: RunSummary,
  acks: AckBatcher,
  guarded: ReadonlySet<string>,
): Promise<ClaimedMessage<P>[]> {
  // Messages the claim already guarded go as they are; their acks wait for the next claim.
  const ready = window.filter((m) => !guarded.has(m.id));
  if (ready.length === 0) return window;
  const riding = ctx.adapter.ackAndGuard ? acks.take() : [];
  let results: TransitionResult[];
  try {
    if (riding.length === 0) results = await guardMany(ctx, ready);
    else {
      const written = await ackAndGuard(
        ctx,
        riding.map((b) => b.message),
        ready,
      );
      acks.record(riding, written.acked);
      results = written.guarded;
    }
  } catch (err) {
    if (riding.length > 0) {
      acks.failed(riding, err);
      acks.record(riding, null);
    }
    summary.storageErrors += ready.length;
    ctx.logger.error({ queue: ctx.name, err }, 'msgqueue: storage error while guarding; the messages stay leased and will be recycled');
    return window.filter((m) => guarded.has(m.id));
  }
  const ok: ClaimedMessage<P>[] = [];
  for (const [i, m] of ready.entries()) {
    const r = results[i]!;
    if (r.ok) ok.push(m);
    else {
      if (r.reason === 'stale-claim') summary.staleClaims++;
      summary.guardRefused[r.reason] = (summary.guardRefused[r.reason] ?? 0) + 1;
    }
  }
  return ready.length === window.length ? ok : window.filter((m) => guarded.has(m.id) || ok.includes(m));
}

/** Send one guarded message, then queue its ack or record its failure. */
async function sendOne<P>(
  ctx: ResolvedOptions,
  m: ClaimedMessage<P>,
  plan: TickPlan<P>,
  summary: RunSummary,
  acks: AckBatcher,
  context: SendContext,
): Promise<void> {
  let error: unknown;
  let threw = false;
  const started = performance.now();
  try {
    if (ctx.telemetry) await ctx.telemetry.send(ctx.name, [m], () => plan.send!(m, context));
    else await plan.send!(m, context);
  } catch (e) {
    threw = true;
    error = e ?? new Error('send threw without an error');
  }
  if (threw) await recordFailure(ctx, m, error, plan, summary);
  // The ack is coalesced with others: the send's slot is free at once, the tick waits for it at its end.
  else acks.add(m, performance.now() - started);
}

/** Send a guarded window in one `sendBatch` call, then settle each message by its result. */
async function sendAsBatch<P>(
  ctx: ResolvedOptions,
  guarded: ClaimedMessage<P>[],
  plan: TickPlan<P>,
  summary: RunSummary,
  acks: AckBatcher,
  context: SendContext,
): Promise<void> {
  let results: SendBatchResult;
  const started = performance.now();
  try {
    const call = () => plan.sendBatch!(guarded, context);
    results = ctx.telemetry ? await ctx.telemetry.send(ctx.name, guarded, call) : await call();
  } catch (e) {
    const error = e ?? new Error('sendBatch threw without an error');
    await Promise.all(guarded.map((m) => recordFailure(ctx, m, error, plan, summary)));
    return;
  }
  if (results !== undefined && results !== null && (!Array.isArray(results) || results.length !== guarded.length)) {
    // A malformed answer: nobody knows which messages arrived.
    const error = new Error(
      `sendBatch answered ${Array.isArray(results) ? `${results.length} results` : 'a non-array'} for ${guarded.length} messages`,
    );
    await Promise.all(guarded.map((m) => recordFailure(ctx, m, error, plan, summary)));
    return;
  }
  const durationMs = performance.now() - started;
  await Promise.all(
    guarded.map((m, i) => {
      const error = (results as readonly unknown[] | undefined)?.[i];
      if (error !== undefined && error !== null) return recordFailure(ctx, m, error, plan, summary);
      acks.add(m, durationMs); // coalesced: the next call need not wait for it
      return Promise.resolve();
    }),
  );
}

/** Record a failed send on its message: retry, FAILED, or HELD, by how the error is classified. */
async function recordFailure<P>(
  ctx: ResolvedOptions,
  m: ClaimedMessage<P>,
  error: unknown,
  plan: TickPlan<P>,
  summary: RunSummary,
): Promise<void> {
  const limited = rateLimitOf(error);
  if (limited) return rateLimited(ctx, m, error, limited, plan, summary);
  const kind = classify(plan.classifyError, error);
  try {
    const r = await fail(ctx, m, error, { retryable: kind !== 'fail', maybeSent: kind === 'unknown' });
    if (r.ok) {
      if (r.outcome === 'retry') summary.retried++;
      else if (r.outcome === 'held') summary.held++;
      else summary.failed++;
    } else if (r.reason === 'stale-claim') summary.staleClaims++;
  } catch (err) {
    summary.storageErrors++;
    ctx.logger.error({ queue: ctx.name, err }, 'msgqueue: storage error while settling; the message stays leased and will be recycled');
  }
}

/**
 * The provider refused the send with a 429 and asked to wait: pause its gate for every process, and
 * give the message back for after the wait, its attempt not counted.
 */
async function rateLimited<P>(
  ctx: ResolvedOptions,
  m: ClaimedMessage<P>,
  error: unknown,
  limited: { ms: number; key: string | null },
  plan: TickPlan<P>,
  summary: RunSummary,
): Promise<void> {
  summary.rateLimited++;
  const pausing = plan.limits.pauseFor(limited.ms, limited.key, errorText(error));
  try {
    const r = await releaseRateLimited(ctx, m, limited.ms, error);
    if (!r.ok && r.reason === 'stale-claim') summary.staleClaims++;
  } catch (err) {
    summary.storageErrors++;
    ctx.logger.error({ queue: ctx.name, err }, 'msgqueue: storage error while settling; the message stays leased and will be recycled');
  }
  await pausing;
}

/**
 * Give back a message that was never started, without counting its attempt (from SENDING where its
 * claim guarded it), due again after `delayMs`; its rate-limit slots go back unused.
 */
async function releaseUnstarted(
  ctx: ResolvedOptions,
  m: ClaimedMessage,
  summary: RunSummary,
  why: 'released' | 'alreadyWorking' | 'rateLimited' | 'throttled',
  guarded: ReadonlySet<string>,
  rates: TickRates,
  delayMs = 0,
): Promise<void> {
  summary[why]++;
  rates.done(m.id, false);
  try {
    const r = guarded.has(m.id) ? await releaseUnsent(ctx, m, delayMs) : await release(ctx, m, { delayMs });
    if (!r.ok && r.reason === 'stale-claim') summary.staleClaims++;
  } catch (err) {
    summary.storageErrors++;
    ctx.logger.error({ queue: ctx.name, err }, 'msgqueue: storage error while releasing; the message stays leased and will be recycled');
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
