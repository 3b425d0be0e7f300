/**
 * A clock the memory adapter reads "now" from.
 *
 * @category Testing
 */
export type Clock = () => Date;

/**
 * The system clock.
 *
 * @category Testing
 */
export const systemClock: Clock = () => new Date();

/**
 * A clock that only moves when told to, for tests: `clock.advance(11 * 60_000)` expires a 10-minute
 * lease without waiting.
 *
 * @category Testing
 */
export class ManualClock {
  private current: number;

  /** A clock that stands still at `start` (default 2026-01-01T00:00:00Z) until {@link ManualClock.advance}. */
  constructor(start: Date | number = Date.UTC(2026, 0, 1)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  /** The current time. Pass `clock.now` as the adapter's clock. */
  readonly now: Clock = () => new Date(this.current);

  /** Move time forward by `ms` (must be ≥ 0). */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`ManualClock.advance: expected ms ≥ 0, got ${ms}`);
    this.current += ms;
  }
}
