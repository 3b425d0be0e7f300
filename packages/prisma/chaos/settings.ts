/** Settings shared by the chaos runner and its workers. */

/** What each chaos message carries: its group (or -1) and its position in the group. */
export interface ChaosPayload {
  g: number;
  n: number;
}

/** Short leases so faults expire leases within seconds. */
export const CHAOS_QUEUE_OPTIONS = {
  batchSize: 5,
  leaseMs: 3_000,
  // Sends are cut at half the margin before the lease ends, leaving the other half for the ack
  // even when two cores run a dozen processes.
  guardMarginMs: 1_200,
  maxAttempts: 8,
  backoff: { baseMs: 100, maxMs: 1_000 },
} as const;
