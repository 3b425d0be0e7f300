/**
 * The `rateLimit` option: at most `max` sends within any `perMs`, for the queue or for each key of
 * it (a sender, a conversation), counted in slots every process shares (see `tick/tick-rates.ts`).
 */
import type { StorageAdapter } from '../contract/adapter.js';
import type { ClaimedMessage } from '../contract/message.js';
import { invalidArgument, MsgQueueError } from '../errors/msgqueue-error.js';
import { checkOptions, describe, int } from './validate.js';

const DAY = 24 * 60 * 60_000;

/**
 * One rate limit of a queue (`rateLimit` of {@link QueueOptions}): at most `max` sends start within any
 * `perMs`, counted from the end of each send, across every process draining the queue.
 *
 * @category Flow control
 */
export interface RateLimit {
  /** Sends allowed within `perMs` (1 … 1,000; for more, a shorter window: 5,000 a minute is about 84 a second). */
  max: number;
  /** The window, in ms (10 ms … 1 day). */
  perMs: number;
  /**
   * Absent: one limit for the whole queue. `'group'`: one limit per group key (messages without a
   * group key are not limited by it). A function: one limit per key it answers for a message (a
   * sender number, an account); null or undefined leaves the message out of this limit.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the queue's payload type is not known here; the function narrows it
  key?: 'group' | ((message: ClaimedMessage<any>) => string | null | undefined);
}

/**
 * A validated {@link RateLimit}, as {@link ResolvedOptions.rateLimits} holds it.
 *
 * @category Flow control
 */
export interface ResolvedRateLimit {
  max: number;
  perMs: number;
  /** Null for the queue's own limit; else as in {@link RateLimit.key}. */
  key: null | 'group' | ((message: ClaimedMessage<unknown>) => string | null | undefined);
}

/** The most slots of one limit (each a row in the SQL adapters' gates table). */
const MAX_SLOTS = 1000;

/** At most this many limits on one queue. */
const MAX_LIMITS = 4;

/** Validate `options.rateLimit` (one limit or a list): at most one for the queue itself. */
export function resolveRateLimits(input: unknown, adapter: StorageAdapter): ResolvedRateLimit[] {
  if (input === undefined) return [];
  const list = Array.isArray(input) ? input : [input];
  if (list.length === 0 || list.length > MAX_LIMITS) {
    throw invalidArgument('options.rateLimit', `expected one limit or a list of 1 to ${MAX_LIMITS}, got ${describe(input)}.`);
  }
  const limits = list.map((item, i) => {
    const field = Array.isArray(input) ? `options.rateLimit[${i}]` : 'options.rateLimit';
    const o = checkOptions<RateLimit>(item, field, ['max', 'perMs', 'key']);
    const key = o.key ?? null;
    if (key !== null && key !== 'group' && typeof key !== 'function') {
      throw invalidArgument(`${field}.key`, `expected 'group' or a function of the message, got ${describe(key)}.`);
    }
    return {
      max: int(o.max, `${field}.max`, 1, MAX_SLOTS),
      perMs: int(o.perMs, `${field}.perMs`, 10, DAY),
      key: key as ResolvedRateLimit['key'],
    };
  });
  if (limits.filter((l) => l.key === null).length > 1) {
    throw invalidArgument('options.rateLimit', 'give at most one limit without a key (the queue’s own); merge them into the strictest.');
  }
  if (!adapter.capabilities.rateLimits || !adapter.takeSlots || !adapter.returnSlots) {
    throw new MsgQueueError(
      'UNSUPPORTED',
      `options.rateLimit: the ${adapter.name} adapter keeps no rate-limit slots (capabilities.rateLimits is not true), so processes could not share a limit. ` +
        'The memory adapter and the SQL adapters keep them (SQL: in the gates table, see `msgqueue sql --gates`).',
      { field: 'options.rateLimit' },
    );
  }
  return limits;
}

/** The key a message counts under for `limit`; null when the limit leaves it out. Anything but a string is one shared key, `?`. */
export function limitKey(limit: ResolvedRateLimit, m: ClaimedMessage<unknown>): string | null {
  if (limit.key === null) return null;
  if (limit.key === 'group') return m.groupKey;
  let k: unknown;
  try {
    k = limit.key(m);
  } catch {
    return '?';
  }
  if (k === null || k === undefined) return null;
  return typeof k === 'string' && k.length > 0 ? k : '?';
}
