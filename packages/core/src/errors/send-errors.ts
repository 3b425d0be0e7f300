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
