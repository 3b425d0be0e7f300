/**
 * Rate limits every process shares: at most `max` sends within any `perMs`, for the queue or for each
 * key of it (a sender, a conversation). Counted in slots kept in the storage beside the gates
 * (`takeSlots`), so N cron instances together stay under the limit, not N × it.
 */
import type { ResolvedOptions } from '../config/options.js';
import type { ResolvedRateLimit } from '../config/rate-limit.js';
import type { SlotsSnapshot } from '../contract/adapter.js';
import type { AtRateLimit, Finding } from '../contract/results.js';

/** The slots of a queue in use now; empty without limits or an adapter that keeps none. */
export async function slotsInUse(ctx: ResolvedOptions): Promise<SlotsSnapshot | null> {
  if (ctx.rateLimits.length === 0 || !ctx.adapter.slotsInUse) return null;
  return ctx.adapter.slotsInUse({ queue: ctx.name });
}

/** The queue and keys whose slots are all in use (the queue's own first), from what `slotsInUse` read. */
export function atRateLimit(limits: readonly ResolvedRateLimit[], snapshot: SlotsSnapshot | null): AtRateLimit[] {
  if (!snapshot) return [];
  const own = limits.find((l) => l.key === null);
  const keyed = limits.filter((l) => l.key !== null);
  // Keys of several keyed limits share their slots' table by key: the strictest counts.
  const least = keyed.length > 0 ? keyed.reduce((a, b) => (b.max < a.max ? b : a)) : null;
  const out: AtRateLimit[] = [];
  for (const k of snapshot.keys) {
    const limit = k.key === null ? own : least;
    if (limit && k.busy >= limit.max) out.push({ key: k.key, max: limit.max, perMs: limit.perMs, nextFreeAt: k.nextFreeAt });
  }
  return out.sort((a, b) => (a.key === null ? -1 : b.key === null ? 1 : a.nextFreeAt.getTime() - b.nextFreeAt.getTime()));
}

/** What `diagnose` says about limits reached: the queue at its own, keys at theirs, and until when. */
export function rateFindings(at: readonly AtRateLimit[], now: Date): Finding[] {
  const out: Finding[] = [];
  const inMs = (d: Date) => `${Math.max(0, d.getTime() - now.getTime())} ms`;
  const queue = at.find((a) => a.key === null);
  if (queue) {
    out.push({
      severity: 'info',
      code: 'QUEUE_RATE_LIMITED',
      message: `The queue is at its rate limit (${queue.max} per ${queue.perMs} ms): the next send may start in ${inMs(queue.nextFreeAt)}, at ${queue.nextFreeAt.toISOString()}.`,
      advice:
        'Nothing to do if the limit is the provider’s: the backlog drains at the limit. Raise rateLimit.max if the provider allows more.',
    });
  }
  const keys = at.filter((a) => a.key !== null);
  if (keys.length > 0) {
    const shown = keys.slice(0, 5).map((k) => `${k.key} (next in ${inMs(k.nextFreeAt)})`);
    out.push({
      severity: 'info',
      code: 'KEYS_RATE_LIMITED',
      message: `${keys.length}${keys.length >= 1000 ? '+' : ''} key(s) at their rate limit: ${shown.join(', ')}${keys.length > 5 ? ', …' : ''}.`,
      advice: 'Nothing to do: their messages wait for their key’s next slot while other keys go on.',
    });
  }
  return out;
}
