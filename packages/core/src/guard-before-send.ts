import { answer, checkRef } from './fencing.js';
import type { ResolvedOptions } from './options.js';
import type { ClaimRef, TransitionResult } from './types.js';

/**
 * Call right before the external send. One compare-and-set moves the message PROCESSING → SENDING
 * if, and only if, this claim still holds it with at least `guardMarginMs` of lease left. After it,
 * the message counts as "possibly sent".
 *
 * On refusal (`ok: false`) do **not** send: `reason` says whether the message was recycled or
 * re-claimed (`stale-claim`), its lease ran out, or too little lease is left.
 */
export async function guardBeforeSend(ctx: ResolvedOptions, message: ClaimRef): Promise<TransitionResult> {
  const ref = checkRef(message, 'guardBeforeSend.message');
  const outcome = await ctx.adapter.guard({ ...ref, minLeaseMs: ctx.guardMarginMs });
  return answer(ctx, 'guardBeforeSend', ref, outcome, ['PROCESSING'], ctx.guardMarginMs);
}
