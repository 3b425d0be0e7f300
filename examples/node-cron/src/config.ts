/** What the demo's processes share: the table, the timings, and the message shape. */
import type { DeliveryMode } from '@org/msgqueue';

/** The demo's own table, so it never touches yours (on PostgreSQL it is dropped and made again). */
export const TABLE = 'msgqueue_demo_messages';
/** Short, so a message whose worker died comes back within the demo: production uses minutes. */
export const LEASE_MS = 4_000;
/** First retry after 0.3–0.6 s (production: seconds to minutes). */
export const RETRY_BASE_MS = 600;
/** The provider answers a slow request after this long: past the lease, so the send is abandoned. */
export const SLOW_MS = LEASE_MS + 1_000;

/** One text message. `n` is its number in enqueue order. */
export interface DemoMessage {
  n: number;
  to: string;
  text: string;
}

/** What the main process passes its workers. */
export interface WorkerEnv {
  DEMO_STORAGE: string;
  DEMO_PROVIDER_URL: string;
  DEMO_MODE: DeliveryMode;
  /** `1`: a long-running `queue.work` loop instead of a node-cron tick every second. */
  DEMO_WORKER?: string;
}
