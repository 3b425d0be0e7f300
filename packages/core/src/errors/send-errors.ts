/**
 * How a failed send ended, as far as the sender can tell:
 * - `fail`: the provider refused it for good (invalid recipient, 4xx): the message ends FAILED.
 * - `retry`: the provider did not take it (5xx, 429, refused before sending): retry after backoff.
 * - `unknown`: it may have arrived (timeout, dropped connection after the request went out).
 *   At-least-once retries it flagged `possiblySent`; at-most-once holds it for review (HELD).
 *
 * @category Errors
 */
export type SendOutcome = 'fail' | 'retry' | 'unknown';

/**
 * Throw this (or any error with `retryable: false`) from a `send` function to fail a message for good,
 * without spending its remaining attempts: a rejected recipient, an invalid template, a 4xx answer.
 *
 * @category Errors
 */
export class PermanentSendError extends Error {
  /** Always false: the message goes straight to FAILED. */
  readonly retryable = false;

  /** `message` is recorded as the message's `lastError`; `cause` keeps the provider's error. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentSendError';
  }
}

/**
 * Throw this (or any error with `retryable: true`) when the provider certainly did not take the
 * message — it answered 5xx or 429, or the request never left — so a retry cannot deliver twice.
 *
 * @category Errors
 */
export class RetryableSendError extends Error {
  /** Always true: retried after backoff while attempts remain, in either delivery mode. */
  readonly retryable = true;

  /** `message` is recorded as the message's `lastError`; `cause` keeps the provider's error. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableSendError';
  }
}

/**
 * Throw this when the provider answered 429 (or its own "slow down"): it did not take the message,
 * and asks every sender to wait `retryAfterMs`. `runOnce` then pauses the queue — or, with `key`,
 * that group key — for that long for every process (`queue.pauseFor`), gives this message back
 * without counting the attempt, and starts no more sends behind the closed gate in this tick.
 *
 * ```ts
 * if (res.status === 429) {
 *   throw new RateLimitedSendError('provider: 429', { retryAfterMs: retryAfterMs(res.headers.get('retry-after')) ?? 1000 });
 * }
 * ```
 *
 * @category Errors
 */
export class RateLimitedSendError extends RetryableSendError {
  /** How long the provider asks every sender to wait, in milliseconds. */
  readonly retryAfterMs: number;
  /** The group key the limit is for (one sender number, one conversation), or null for the whole queue. */
  readonly key: string | null;

  /**
   * `message` is recorded as the message's `lastError`; `retryAfterMs` is the provider's wait (a
   * non-positive or unreadable one counts as 1 ms); `key` narrows the pause to one group key.
   */
  constructor(message: string, options: { retryAfterMs: number; key?: string | null; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'RateLimitedSendError';
    const ms = options.retryAfterMs;
    this.retryAfterMs = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : 1;
    this.key = options.key ?? null;
  }
}

/**
 * A `Retry-After` header as milliseconds from `now`: delay-seconds (`120`) or an HTTP date; null when
 * absent or unreadable. A date in the past reads as 0.
 *
 * @category Errors
 */
export function retryAfterMs(header: string | null | undefined, now: number = Date.now()): number | null {
  if (header === null || header === undefined) return null;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/**
 * What a send's error asks of the queue's flow: wait `ms` (for the queue, or one group key).
 * An error with a numeric `retryAfterMs` — a {@link RateLimitedSendError}, or the app's own.
 */
export function rateLimitOf(error: unknown): { ms: number; key: string | null } | null {
  if (typeof error !== 'object' || error === null) return null;
  const { retryAfterMs: ms, key } = error as { retryAfterMs?: unknown; key?: unknown };
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return null;
  return { ms: Math.max(1, Math.ceil(ms)), key: typeof key === 'string' && key.length > 0 ? key : null };
}

/**
 * The default reading of an error thrown by `send`: `retryable: false` → `fail`,
 * `retryable: true` → `retry`, anything else → `unknown` (it may have arrived).
 *
 * @category Errors
 */
export function classifySendError(error: unknown): SendOutcome {
  if (typeof error === 'object' && error !== null && 'retryable' in error) {
    const retryable = (error as { retryable: unknown }).retryable;
    if (retryable === false) return 'fail';
    if (retryable === true) return 'retry';
  }
  return 'unknown';
}
