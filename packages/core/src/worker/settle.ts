import { LIMITS, type ResolvedOptions } from '../config/options.js';
import { bool, checkOptions, int } from '../config/validate.js';
import type { FencedOutcome } from '../contract/adapter.js';
import type { ClaimRef, FailResult, MessageStatus, TransitionResult } from '../contract/message.js';
import { invalidArgument, MsgQueueError } from '../errors/msgqueue-error.js';
import { callHook } from '../observability/hooks.js';
import { backoffDelay } from './backoff.js';
import { answer, checkRef } from './fencing.js';

const MAX_ERROR_LENGTH = 2000;

/**
 * Acknowledge a message as sent: SENDING (or PROCESSING, for work with no external send) → SENT,
 * only while this claim owns it. A `stale-claim` answer means another worker owns it now.
 */
export async function ack(ctx: ResolvedOptions, message: ClaimRef): Promise<TransitionResult> {
  const ref = checkRef(message, 'ack.message');
  const outcome = await ctx.adapter.settle({
    ...ref,
    from: ['PROCESSING', 'SENDING'],
    to: 'SENT',
    delayMs: 0,
    error: null,
    refundAttempt: false,
    possiblySent: false,
  });
  return ackAnswer(ctx, ref, outcome);
}

/**
 * Acknowledge several claimed messages in one round trip where the adapter can (`ackMany`), one
 * at a time where it cannot; each fenced on its own. Answers in input order.
 */
export async function ackMany(ctx: ResolvedOptions, refs: readonly ClaimRef[]): Promise<TransitionResult[]> {
  if (refs.length === 0) return [];
  if (refs.length === 1 || !ctx.adapter.ackMany) return Promise.all(refs.map((ref) => ack(ctx, ref)));
  const outcomes = await ctx.adapter.ackMany(refs);
  return refs.map((ref, i) => ackAnswer(ctx, ref, outcomes[i] ?? missing(ctx, 'ackMany', refs.length, outcomes.length)));
}

/** The answer to one ack, its `acked` hook called when it was written. */
export function ackAnswer(ctx: ResolvedOptions, ref: ClaimRef, outcome: FencedOutcome): TransitionResult {
  const result = answer(ctx, 'ack', ref, outcome, ['PROCESSING', 'SENDING']);
  if (result.ok && outcome.ok) callHook(ctx.hooks, ctx.logger, 'acked', { id: ref.id, attempts: outcome.record.attempts });
  return result;
}

/** An adapter that answered fewer outcomes than it was asked for broke the contract. */
export function missing(ctx: ResolvedOptions, operation: string, asked: number, answered: number): never {
  throw new MsgQueueError('ADAPTER_CONTRACT', `${ctx.adapter.name}.${operation} answered ${answered} outcomes for ${asked} messages.`);
}

/** Options of {@link Queue.fail}. */
export interface FailOptions {
  /** False fails the message for good now. Default true (retry while attempts remain). */
  retryable?: boolean;
  /** Retry after exactly this delay instead of the backoff. */
  delayMs?: number;
  /**
   * The send may have reached the provider (a timeout, a connection dropped after the request).
   * For a message past its guard: at-most-once holds it (HELD) instead of retrying; at-least-once
   * retries it flagged `possiblySent`. Default false.
   */
  maybeSent?: boolean;
}

/**
 * Record a failed attempt. With attempts left and `retryable` not false, the message goes back to
 * PENDING after the backoff delay; otherwise it ends FAILED. With `maybeSent` on a message past its
 * guard, at-most-once holds it (HELD) and at-least-once flags it `possiblySent`. Fenced by the token.
 */
export async function fail(
  ctx: ResolvedOptions,
  message: ClaimRef & { attempts?: number },
  error: unknown,
  options?: FailOptions,
): Promise<FailResult> {
  const ref = checkRef(message, 'fail.message');
  const o = checkOptions<FailOptions>(options, 'fail.options', ['retryable', 'delayMs', 'maybeSent']);
  const retryable = bool(o.retryable, 'fail.options.retryable', true);
  const maybeSent = bool(o.maybeSent, 'fail.options.maybeSent', false);
  const explicitDelay =
    o.delayMs === undefined ? undefined : int(o.delayMs, 'fail.options.delayMs', LIMITS.delayMs.min, LIMITS.delayMs.max);
  const attempts = (message as { attempts?: unknown }).attempts;
  if (attempts !== undefined) int(attempts, 'fail.message.attempts', 0, Number.MAX_SAFE_INTEGER);
  const text = errorText(error);
  // The attempt count comes from storage, not the caller, when the caller did not pass a claimed message.
  const current = typeof attempts === 'number' ? attempts : ((await ctx.adapter.get(ref.id))?.attempts ?? ctx.maxAttempts);
  const final = !retryable || current >= ctx.maxAttempts;
  const delayMs = final ? 0 : (explicitDelay ?? backoffDelay(ctx.backoff, current));
  const settle = (from: MessageStatus[], to: 'PENDING' | 'FAILED' | 'HELD', possiblySent: boolean) =>
    ctx.adapter.settle({ ...ref, from, to, delayMs: to === 'PENDING' ? delayMs : 0, error: text, refundAttempt: false, possiblySent });
  let outcome: FencedOutcome | undefined;
  if (maybeSent) {
    // Past the guard it may have arrived: flag it, and under at-most-once never re-send it.
    outcome = await settle(['SENDING'], final ? 'FAILED' : ctx.deliveryMode === 'at-most-once' ? 'HELD' : 'PENDING', true);
  }
  // Not past the guard (still PROCESSING), or a plain failure: it was not sent.
  if (!outcome?.ok) outcome = await settle(['PROCESSING', 'SENDING'], final ? 'FAILED' : 'PENDING', false);
  const held = outcome.ok && outcome.record.status === 'HELD';
  const result = answer(ctx, 'fail', ref, outcome, ['PROCESSING', 'SENDING']);
  if (!result.ok || !outcome.ok) return result as FailResult;
  if (held) {
    ctx.logger.warn({ queue: ctx.name, id: ref.id, error: text }, 'msgqueue: send outcome unknown; message held for review (at-most-once)');
    callHook(ctx.hooks, ctx.logger, 'held', { id: ref.id, reason: text });
    return { ...result, outcome: 'held' };
  }
  const outcomeKind = final ? 'failed' : 'retry';
  const fields = { queue: ctx.name, id: ref.id, attempts: outcome.record.attempts, error: text };
  if (final) ctx.logger.warn(fields, 'msgqueue: message FAILED for good');
  else ctx.logger.info(fields, 'msgqueue: send failed; will retry');
  callHook(ctx.hooks, ctx.logger, 'failed', { id: ref.id, attempts: outcome.record.attempts, outcome: outcomeKind, error: text });
  return final ? { ...result, outcome: 'failed' } : { ...result, outcome: 'retry', availableAt: outcome.record.availableAt };
}

/** Options of {@link Queue.release}. */
export interface ReleaseOptions {
  /** Claimable again after this delay. Default 0. */
  delayMs?: number;
}

/**
 * Give a claimed message back without counting the attempt: PROCESSING → PENDING. Refused once
 * the message passed the guard (SENDING): it may have left, so fail or ack it instead.
 */
export async function release(ctx: ResolvedOptions, message: ClaimRef, options?: ReleaseOptions): Promise<TransitionResult> {
  const ref = checkRef(message, 'release.message');
  const o = checkOptions<ReleaseOptions>(options, 'release.options', ['delayMs']);
  const delayMs = int(o.delayMs, 'release.options.delayMs', LIMITS.delayMs.min, LIMITS.delayMs.max, 0);
  const outcome = await ctx.adapter.settle({
    ...ref,
    from: ['PROCESSING'],
    to: 'PENDING',
    delayMs,
    error: null,
    refundAttempt: true,
    possiblySent: false,
  });
  return answer(ctx, 'release', ref, outcome, ['PROCESSING']);
}

/**
 * For the tick: give back a message its claim moved straight to SENDING (`guard`) whose send never
 * started — out of budget, or another tick of this process still sends an earlier copy. The tick
 * knows this claim never sent it, so it goes back to PENDING with its attempt refunded, as a release.
 */
export async function releaseUnsent(ctx: ResolvedOptions, ref: ClaimRef, delayMs = 0): Promise<TransitionResult> {
  const outcome = await ctx.adapter.settle({
    ...ref,
    from: ['SENDING'],
    to: 'PENDING',
    delayMs,
    error: null,
    refundAttempt: true,
    possiblySent: false,
  });
  return answer(ctx, 'release', ref, outcome, ['SENDING']);
}

/**
 * For the tick: give back a message the provider refused with a 429 (it did not take it, and asks
 * to wait): SENDING → PENDING after `delayMs`, its attempt refunded (a rate limit is not the
 * message's failure), the provider's answer kept as its last error.
 */
export async function releaseRateLimited(ctx: ResolvedOptions, ref: ClaimRef, delayMs: number, error: unknown): Promise<TransitionResult> {
  const outcome = await ctx.adapter.settle({
    ...ref,
    from: ['SENDING'],
    to: 'PENDING',
    delayMs: Math.min(delayMs, LIMITS.delayMs.max),
    error: errorText(error),
    refundAttempt: true,
    possiblySent: false,
  });
  return answer(ctx, 'release', ref, outcome, ['SENDING']);
}

/** Options of {@link Queue.extendLease}. */
export interface ExtendOptions {
  /** New lease end = storage now + leaseMs. Default: the queue's `leaseMs`. */
  leaseMs?: number;
}

/** Push the lease of an owned message (PROCESSING or SENDING) to now + leaseMs. Fenced by the token. */
export async function extendLease(ctx: ResolvedOptions, message: ClaimRef, options?: ExtendOptions): Promise<TransitionResult> {
  const ref = checkRef(message, 'extendLease.message');
  const o = checkOptions<ExtendOptions>(options, 'extendLease.options', ['leaseMs']);
  const leaseMs = int(o.leaseMs, 'extendLease.options.leaseMs', LIMITS.leaseMs.min, LIMITS.leaseMs.max, ctx.leaseMs);
  const outcome = await ctx.adapter.extendLease({ ...ref, leaseMs });
  return answer(ctx, 'extendLease', ref, outcome, ['PROCESSING', 'SENDING']);
}

/** A short text for an error, for `lastError`: message only, never a payload. */
export function errorText(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = `${error.name}: ${error.message}`;
  else if (typeof error === 'string') text = error;
  else if (error === undefined || error === null)
    throw invalidArgument('fail.error', 'give the error (or a string saying what went wrong).');
  else text = String(error);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this strips (PostgreSQL text refuses it).
  text = text.replace(/\u0000/g, '');
  if (text.length > MAX_ERROR_LENGTH) text = `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
  // Lone surrogates (from the error, or a pair the cut split) are not Unicode: databases refuse them.
  return text.replace(/\p{Surrogate}/gu, '\uFFFD');
}
