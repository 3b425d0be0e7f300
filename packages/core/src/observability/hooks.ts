import type { Gate, RecycleOutcome } from '../contract/adapter.js';
import type { RefusalReason } from '../contract/message.js';
import type { DiagnoseReport, RunSummary } from '../contract/results.js';
import type { Logger } from './logger.js';

/**
 * Typed hooks, called after the event has been written to storage. A hook that throws is logged
 * and ignored: hooks cannot break the queue. Payloads are not passed; fetch them if you need them.
 *
 * @category Telemetry
 */
export interface QueueHooks {
  /**
   * Messages were stored: `ids` the new ones, `duplicates` how many matched an existing dedupe key or
   * id. With `transaction`, they were written through it: your commit decides whether they stay.
   */
  enqueued?(event: { ids: string[]; duplicates: number }): void;
  /** Messages were claimed; `durationMs` is the claim's round trip. */
  claimed?(event: { token: string; ids: string[]; durationMs: number }): void;
  /** Messages passed the pre-send guard (PROCESSING → SENDING): from here on they may be delivered. */
  guarded?(event: { ids: string[] }): void;
  /** `runOnce` delivered a message and acknowledged it; `durationMs` is the send alone. */
  sent?(event: { id: string; attempts: number; durationMs: number }): void;
  /** A fenced transition was refused (guard, ack, fail, release, extend). */
  refused?(event: { operation: string; id: string; reason: RefusalReason }): void;
  /** A message was acknowledged as sent. */
  acked?(event: { id: string; attempts: number }): void;
  /** A message failed: `retry` when it will run again (retried after the backoff), `failed` when it will not. */
  failed?(event: { id: string; attempts: number; outcome: 'retry' | 'failed'; error: string }): void;
  /** A message is HELD for review: at-most-once, and nobody knows whether it was delivered. */
  held?(event: { id: string; reason: string }): void;
  /** The recycler moved expired rows. */
  recycled?(event: RecycleOutcome): void;
  /** A `runOnce` tick ended (or was skipped): its summary. Not called when the tick threw. */
  tick?(event: RunSummary & { queue: string }): void;
  /** A `diagnose` report was read (the status route, the CLI, your own calls). */
  diagnosed?(event: DiagnoseReport): void;
  /** A gate changed (`pause`, `resume`, `pauseFor`): the gate as it now is. */
  gate?(event: { operation: 'pause' | 'resume' | 'pauseFor'; gate: Gate }): void;
}

/** Call a hook, logging (not throwing) anything it throws. */
export function callHook<K extends keyof QueueHooks>(
  hooks: QueueHooks,
  logger: Logger,
  name: K,
  event: Parameters<NonNullable<QueueHooks[K]>>[0],
): void {
  const hook = hooks[name] as ((e: typeof event) => void) | undefined;
  if (!hook) return;
  try {
    hook(event);
  } catch (error) {
    logger.warn({ hook: name, err: error }, 'msgqueue: a hook threw; ignored');
  }
}

/** The hooks of `a` and `b` as one set: where both have a hook, both are called (an error in one never stops the other). */
export function mergeHooks(a: QueueHooks, b: QueueHooks | undefined): QueueHooks {
  if (!b) return a;
  const merged: Record<string, (event: never) => void> = { ...(a as Record<string, (event: never) => void>) };
  for (const [name, hook] of Object.entries(b) as [string, ((event: never) => void) | undefined][]) {
    if (!hook) continue;
    const first = merged[name];
    merged[name] = first
      ? (event) => {
          try {
            first(event);
          } finally {
            hook(event);
          }
        }
      : hook;
  }
  return merged as QueueHooks;
}
