import { createQueue, type Queue, type QueueOptions } from '@org/msgqueue';
import { afterEach, beforeEach } from 'vitest';
import type { ConformanceContext, ConformanceHarness } from './harness.js';

/** Per-test state shared by the suites: fresh storage before each test, torn down after it. */
export interface Fixture {
  readonly ctx: ConformanceContext;
  /** A queue over this test's storage (or over `options.adapter`, e.g. one from `ctx.connect()`). */
  queue<P = unknown>(options?: Partial<QueueOptions>): Queue<P>;
}

/** Register setup/teardown hooks in the current describe block and return the fixture accessor. */
export function useFixture(harness: ConformanceHarness): Fixture {
  let current: ConformanceContext | undefined;
  beforeEach(async () => {
    current = await harness.setup();
  });
  afterEach(async () => {
    await current?.teardown();
    current = undefined;
  });
  return {
    get ctx() {
      if (!current) throw new Error('conformance fixture used outside a test');
      return current;
    },
    queue(options = {}) {
      return createQueue({ adapter: this.ctx.adapter, ...options });
    },
  };
}

export const MINUTE = 60_000;

/** A promise and the function that settles it: to hold a send open until the test lets it go. */
export function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
