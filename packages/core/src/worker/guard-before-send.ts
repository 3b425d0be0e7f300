import type { ResolvedOptions } from '../config/options.js';
import type { FencedOutcome } from '../contract/adapter.js';
import type { ClaimRef, TransitionResult } from '../contract/message.js';
import { callHook } from '../observability/hooks.js';
import { answer, checkRef } from './fencing.js';
import { ackAnswer, ackMany, missing } from './settle.js';

/**
 * Call right before the external send. One compare-and-set moves the message PROCESSING → SENDING
 * if, and only if, this claim still owns it with at least `guardMarginMs` of lease left. After it,
 * the message counts as "possibly sent".
 *
 * On refusal (`ok: false`) do **not** send: `reason` says whether the message was recycled or
 * re-claimed (`stale-claim`), its lease ran out, or too little lease is left.
 */
export async function guardBeforeSend(ctx: ResolvedOptions, message: ClaimRef): Promise<TransitionResult> {
  const ref = checkRef(message, 'guardBeforeSend.message');
  const outcome = await ctx.adapter.guard({ ...ref, minLeaseMs: ctx.guardMarginMs });
  const result = answer(ctx, 'guardBeforeSend', ref, outcome, ['PROCESSING'], ctx.guardMarginMs);
  if (result.ok) callHook(ctx.hooks, ctx.logger, 'guarded', { ids: [ref.id] });
  return result;
}

/**
 * Guard a window of claimed messages about to be sent, in one round trip where the adapter can
 * (`guardMany`), one at a time where it cannot; each fenced on its own. Answers in input order.
 */
export async function guardMany(ctx: ResolvedOptions, refs: readonly ClaimRef[]): Promise<TransitionResult[]> {
  if (refs.length === 0) return [];
  if (refs.length === 1 || !ctx.adapter.guardMany) return Promise.all(refs.map((ref) => guardBeforeSend(ctx, ref)));
  return guardAnswers(ctx, refs, await ctx.adapter.guardMany({ messages: refs, minLeaseMs: ctx.guardMarginMs }));
}

/**
 * Write the acks of sends that finished and guard the next window, in one round trip where the
 * adapter can (`ackAndGuard`), else the acks then the guard; each message fenced on its own.
 */
export async function ackAndGuard(
  ctx: ResolvedOptions,
  acks: readonly ClaimRef[],
  refs: readonly ClaimRef[],
): Promise<{ acked: TransitionResult[]; guarded: TransitionResult[] }> {
  if (!ctx.adapter.ackAndGuard || acks.length === 0 || refs.length === 0) {
    return { acked: await ackMany(ctx, acks), guarded: await guardMany(ctx, refs) };
  }
  const outcomes = await ctx.adapter.ackAndGuard({ acks, guard: { messages: refs, minLeaseMs: ctx.guardMarginMs } });
  const acked = acks.map((ref, i) =>
    ackAnswer(ctx, ref, outcomes.acks[i] ?? missing(ctx, 'ackAndGuard', acks.length, outcomes.acks.length)),
  );
  return { acked, guarded: guardAnswers(ctx, refs, outcomes.guards, 'ackAndGuard') };
}

/** The answers to a window's guards, the `guarded` hook called for those written. */
function guardAnswers(
  ctx: ResolvedOptions,
  refs: readonly ClaimRef[],
  outcomes: FencedOutcome[],
  operation = 'guardMany',
): TransitionResult[] {
  const results = refs.map((ref, i) =>
    answer(
      ctx,
      'guardBeforeSend',
      ref,
      outcomes[i] ?? missing(ctx, operation, refs.length, outcomes.length),
      ['PROCESSING'],
      ctx.guardMarginMs,
    ),
  );
  const ids = refs.filter((_, i) => results[i]!.ok).map((r) => r.id);
  if (ids.length > 0) callHook(ctx.hooks, ctx.logger, 'guarded', { ids });
  return results;
}
