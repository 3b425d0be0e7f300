/**
 * The seam telemetry plugs into: a wrapper around each tick and each send (for spans), and the
 * queue's hooks (for counters and histograms). Without `telemetry` the queue calls nothing extra.
 * `@org/msgqueue/opentelemetry` implements it over `@opentelemetry/api`.
 */

import type { ClaimedMessage } from '../contract/message.js';
import type { RunSummary } from '../contract/results.js';
import type { QueueHooks } from './hooks.js';

/**
 * What {@link QueueOptions.telemetry} takes.
 *
 * @category Telemetry
 */
export interface Telemetry {
  /** Run one `runOnce` tick inside a wrapper; answers (or throws) what `run` does. */
  tick(queue: string, run: () => Promise<RunSummary>): Promise<RunSummary>;
  /** Run one send — `send(message)`, or one `sendBatch` call — inside a wrapper; answers (or throws) as `run` does. */
  send<T>(queue: string, messages: readonly ClaimedMessage[], run: () => Promise<T>): Promise<T>;
  /** Events for the named queue, called alongside its own hooks; asked once, by `createQueue`. */
  hooksFor?(queue: string): QueueHooks;
}
