import type { ResolvedOptions } from '../config/options.js';
import { key } from '../config/validate.js';
import type { TransitionResult } from '../contract/message.js';

/**
 * An operator's retry for a message that ended FAILED or HELD: back to PENDING, due now, with its
 * attempts reset. Use it after checking with the provider that a HELD message did not arrive, or
 * after fixing what made a message fail. Refused (`wrong-status`) for any other status.
 */
export async function retry(ctx: ResolvedOptions, id: string): Promise<TransitionResult> {
  const checked = key(id, 'retry.id');
  const outcome = await ctx.adapter.retry({ queue: ctx.name, id: checked, from: ['FAILED', 'HELD'] });
  if (outcome.ok) {
    ctx.logger.info({ queue: ctx.name, id: checked }, 'msgqueue: message retried by an operator');
    return { ok: true, status: outcome.record.status, leaseUntil: null };
  }
  if (!outcome.current) return { ok: false, reason: 'not-found', status: null, detail: `retry: no message ${checked}.` };
  const status = outcome.current.status;
  return {
    ok: false,
    reason: 'wrong-status',
    status,
    detail: `retry: message ${checked} is ${status}; only FAILED or HELD messages are retried.`,
  };
}
