import type { ResolvedOptions } from '../config/options.js';
import type { ClaimRef, TransitionResult } from '../contract/message.js';
import { callHook } from '../observability/hooks.js';
import { answer, checkRef } from './fencing.js';
import { missing } from './settle.js';

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
  const outcomes = await ctx.adapter.guardMany({ messages: refs, minLeaseMs: ctx.guardMarginMs });
  const results = refs.map((ref, i) =>
    answer(
      ctx,
      'guardBeforeSend',
      ref,
      outcomes[i] ?? missing(ctx, 'guardMany', refs.length, outcomes.length),
      ['PROCESSING'],
      ctx.guardMarginMs,
    ),
  );
  const ids = refs.filter((_, i) => results[i]!.ok).map((r) => r.id);
  if (ids.length > 0) callHook(ctx.hooks, ctx.logger, 'guarded', { ids });
  return results;
}
