import { createQueue, type Queue, type QueueOptions } from '@org/msgqueue';
import { afterEach, beforeEach, it } from 'vitest';
import type { ConformanceContext, ConformanceHarness, ConformanceOptions } from './harness.js';

/** Per-test state shared by the suites: fresh storage before each test, torn down after it. */
export interface Fixture {
  readonly ctx: ConformanceContext;
  /**
   * `it` for a test of the engine's rules rather than of the client seam: registered only when the
   * run's scope is `full` (see {@link ConformanceOptions.scope}).
   */
  readonly engine: typeof it;
  /** A queue over this test's storage (or over `options.adapter`, e.g. one from `ctx.connect()`). */
  queue<P = unknown>(options?: Partial<QueueOptions>): Queue<P>;
}

/** Register setup/teardown hooks in the current describe block and return the fixture accessor. */
export function useFixture(harness: ConformanceHarness, scope: 'full' | 'client' = 'full'): Fixture {
  let current: ConformanceContext | undefined;
  beforeEach(async () => {
    current = await harness.setup();
  });
  afterEach(async () => {
    await current?.teardown();
    current = undefined;
  });
  return {
    engine: scope === 'full' ? it : (((..._args: unknown[]) => {}) as unknown as typeof it),
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
