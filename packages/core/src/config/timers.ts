/**
 * The clock and timers a tick keeps its time budget and its sends' lease deadlines with: the
 * process's monotonic clock and timers, or — in a test — {@link ManualTimers}, which move only when
 * told, so "a send that takes 350 ms in a 400 ms budget" means exactly that however busy the machine.
 * (The storage's time is the storage's: the memory adapter has its own {@link ManualClock}.)
 */

/**
 * A monotonic clock and the timers that run on it.
 *
 * @category Testing
 */
export interface Timers {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Call `fn` once, `ms` from now; answers a handle for {@link Timers.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancel a timer set by {@link Timers.setTimeout}. */
  clearTimeout(handle: unknown): void;
}

/**
 * `performance.now()` and the global timers (which never keep the process alive).
 *
 * @category Testing
 */
export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Timers for tests: time stands still until {@link ManualTimers.advance}, which fires every timer
 * that falls due, in order. Pass it as a queue's `timers`.
 *
 * ```ts
 * const timers = new ManualTimers();
 * const queue = createQueue({ adapter, timers });
 * // a send that "takes" 350 ms of a 400 ms budget, whatever the machine is doing:
 * await queue.runOnce({ timeBudgetMs: 400, reserveMs: 100, send: async () => timers.advance(350) });
 * ```
 *
 * @category Testing
 */
export class ManualTimers implements Timers {
  private time = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();

  /** The current time, in milliseconds since this clock was made. */
  now(): number {
    return this.time;
  }

  /** Call `fn` once time has advanced `ms` (≥ 0). */
  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.pending.set(id, { at: this.time + Math.max(0, ms), fn });
    return id;
  }

  /** Cancel a timer. */
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Move time forward by `ms` (≥ 0), firing each timer that falls due, earliest first. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ManualTimers.advance: expected ms ≥ 0, got ${ms}`);
    const until = this.time + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.pending) if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.time = next[1].at;
      next[1].fn();
    }
    this.time = until;
  }
}
