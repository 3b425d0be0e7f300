const PERMANENT = Symbol.for('@org/msgqueue/permanent-send-error');

/**
 * Throw this (or any error with `retryable: false`) from a `send` function to fail a message for good,
 * without spending its remaining attempts: a rejected recipient, an invalid template, a 4xx answer.
 */
export class PermanentSendError extends Error {
  /** Always false: the message goes straight to FAILED. */
  readonly retryable = false;
  private readonly [PERMANENT] = true;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentSendError';
  }
}

/**
 * The default retry policy for errors thrown by `send`: retry, unless the error says
 * `retryable: false` (as {@link PermanentSendError} does).
 */
export function isRetryableByDefault(error: unknown): boolean {
  if (typeof error === 'object' && error !== null && 'retryable' in error) {
    return (error as { retryable: unknown }).retryable !== false;
  }
  return true;
}
