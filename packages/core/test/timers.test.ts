/** ManualTimers: a tick's clock that moves only when a test says so. */
import { createQueue, ManualTimers, MsgQueueError, memoryAdapter } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

describe('ManualTimers', () => {
  it('fires due timers in time order as it advances, never before, and not once cleared', () => {
    const timers = new ManualTimers();
    const fired: string[] = [];
    timers.setTimeout(() => fired.push(`b@${timers.now()}`), 20);
    timers.setTimeout(() => fired.push(`a@${timers.now()}`), 10);
    const c = timers.setTimeout(() => fired.push('c'), 15);
    timers.clearTimeout(c);
    timers.advance(9);
    expect(fired).toEqual([]);
    timers.advance(11);
    expect(fired).toEqual(['a@10', 'b@20']);
    expect(timers.now()).toBe(20);
    timers.setTimeout(() => fired.push('now'), 0);
    timers.advance(0);
    expect(fired.at(-1)).toBe('now');
    expect(() => timers.advance(-1)).toThrow(RangeError);
  });

  it('a queue refuses timers that are not timers, by name', () => {
    const error = (() => {
      try {
        createQueue({ adapter: memoryAdapter(), timers: { now: () => 0 } as never });
      } catch (e) {
        return e;
      }
    })();
    expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as MsgQueueError).field).toBe('options.timers');
  });
});
