import type { ResolvedOptions } from '../config/options.js';

/**
 * Delay before retry number `attempts` (1-based): `min(maxMs, baseMs · 2^(attempts-1))`, then with
 * jitter a uniform draw in [50 %, 100 %] of it, so a burst of failures does not retry in lock-step.
 */
export function backoffDelay(backoff: ResolvedOptions['backoff'], attempts: number, random = Math.random): number {
  const exp = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, attempts - 1));
  return backoff.jitter ? Math.round(exp * (0.5 + random() * 0.5)) : exp;
}
