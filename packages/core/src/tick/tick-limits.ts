/**
 * What a provider's 429 does to a tick: the gate it names (the queue, or one group key) is paused
 * for every process for the wait (`queue.pauseFor`), and this tick starts nothing more behind it. One
 * pause written per gate and wait, however many sends of the tick got the 429.
 */
import type { ResolvedOptions } from '../config/options.js';
import type { ClaimedMessage } from '../contract/message.js';
import { MAX_NOTE, pauseFor } from '../flow/gates.js';

/** A tick's view of the gates its sends closed. */
export class TickLimits {
  /** The whole queue was asked to wait: claim nothing more, start nothing more. */
  queueHeld = false;
  private readonly keys = new Set<string>();
  private readonly pausing = new Map<string, { until: number; write: Promise<void> }>();
  private warned = false;

  constructor(private readonly ctx: ResolvedOptions) {}

  /** Whether a message must not start: it is behind a gate this tick closed. */
  blocks(m: ClaimedMessage): boolean {
    return this.queueHeld || (m.groupKey !== null && this.keys.has(m.groupKey));
  }

  /**
   * The provider asked every sender to wait `ms` (for `key`, or the whole queue): pause the gate for
   * every process. A storage error (or an adapter without gates) is logged: this tick still stops
   * starting sends behind it, and the message itself waits out `ms` either way.
   */
  pauseFor(ms: number, key: string | null, reason: string): Promise<void> {
    if (key === null) this.queueHeld = true;
    else this.keys.add(key);
    const until = this.ctx.timers.now() + ms;
    const at = key ?? '';
    const prior = this.pausing.get(at);
    if (prior && prior.until >= until) return prior.write;
    const note = `provider asked to wait ${ms} ms: ${reason}`.slice(0, MAX_NOTE);
    const write = pauseFor(this.ctx, ms, { ...(key === null ? {} : { key }), note }).then(
      () => {},
      (err: unknown) => {
        if (this.warned) return;
        this.warned = true;
        this.ctx.logger.warn(
          { queue: this.ctx.name, key, err },
          'msgqueue: could not pause the gate a 429 asked for; only this tick stops sending behind it',
        );
      },
    );
    this.pausing.set(at, { until, write });
    return write;
  }
}
