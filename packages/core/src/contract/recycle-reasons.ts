/**
 * The `lastError` texts the recycler writes, shared by every adapter so an operator reads the same
 * words whatever the storage.
 *
 * @category Operations
 */
export const RECYCLE_REASONS = {
  /** Expired in PROCESSING: the guard never passed, so it was never sent. */
  beforeSend: 'lease expired before the send',
  /** Expired in SENDING, at-least-once. */
  resend: 'lease expired after the pre-send guard; will be sent again (at-least-once)',
  /** Expired in SENDING, at-most-once. */
  held: 'lease expired after the pre-send guard; delivery unknown (at-most-once: held for review)',
  /** Expired with no attempts left. */
  outOfAttempts: 'lease expired and no attempts left',
  /** In flight without a lease (left by other code), at-least-once. */
  orphanResend: 'in flight without a lease (left by other code), so maybe sent; will be sent again (at-least-once)',
  /** In flight without a lease (left by other code), at-most-once. */
  orphanHeld: 'in flight without a lease (left by other code), so delivery unknown (at-most-once: held for review)',
} as const;
