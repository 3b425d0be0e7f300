import { describe, expect, it } from 'vitest';
import { type Fixture, latch, MINUTE } from '../context.js';

/** The run lock that keeps overlapping cron ticks apart, as far as the adapter declares it works. */
export function runLockSuite(f: Fixture): void {
  describe('run lock', () => {
    it('declares what it has: a cross-process run lock comes with acquire and release, and a storage key', () => {
      const a = f.ctx.adapter;
      expect(['row-locks', 'single-writer', 'in-process']).toContain(a.capabilities.claimIsolation);
      expect(typeof a.capabilities.crossProcessRunLock).toBe('boolean');
      if (a.capabilities.crossProcessRunLock) {
        expect(typeof a.acquireRunLock).toBe('function');
        expect(typeof a.releaseRunLock).toBe('function');
      }
      if (a.storageKey !== undefined) expect(a.storageKey).toMatch(/^\S{1,120}$/);
    });

    it('keeps other owners out until released or lapsed', async (t) => {
      const a = f.ctx.adapter;
      if (!a.acquireRunLock || !a.releaseRunLock) t.skip('the adapter has no run lock: overlapping ticks run side by side');
      const [acquire, release] = [a.acquireRunLock!.bind(a), a.releaseRunLock!.bind(a)];
      expect(await acquire({ name: 'tick', owner: 'one', ttlMs: MINUTE })).toBe(true);
      expect(await acquire({ name: 'tick', owner: 'two', ttlMs: MINUTE })).toBe(false);
      await release({ name: 'tick', owner: 'two' }); // not the owner: no effect
      expect(await acquire({ name: 'tick', owner: 'two', ttlMs: MINUTE })).toBe(false);
      await release({ name: 'tick', owner: 'one' });
      expect(await acquire({ name: 'tick', owner: 'two', ttlMs: MINUTE })).toBe(true);
      expect(await acquire({ name: 'other-tick', owner: 'one', ttlMs: MINUTE })).toBe(true);
      await f.ctx.advance(MINUTE + 1_000);
      expect(await acquire({ name: 'tick', owner: 'three', ttlMs: MINUTE })).toBe(true);
    });

    it('a tick through another connection to the same storage is skipped while one runs, and runs after it', async (t) => {
      if (!f.ctx.adapter.capabilities.crossProcessRunLock) t.skip('crossProcessRunLock is false: ticks are kept apart in one process only');
      if (!f.ctx.connect) t.skip('the harness gives no connect(): a second connection cannot be opened');
      const q = f.queue();
      const other = f.queue({ adapter: await f.ctx.connect!() });
      await q.enqueueMany([{ payload: { n: 1 } }, { payload: { n: 2 } }]);
      const gate = latch();
      const sending = latch();
      const first = q.runOnce({
        limit: 1,
        maxBatches: 1,
        send: () => {
          sending.open();
          return gate.promise;
        },
      });
      await sending.promise;
      expect((await other.runOnce({ send: async () => {} })).skipped).toBe('overlap-other-instance');
      gate.open();
      expect(await first).toMatchObject({ skipped: null, sent: 1 });
      expect(await other.runOnce({ send: async () => {} })).toMatchObject({ skipped: null, sent: 1 });
    });

    f.engine('queues with other names over the same storage do not block each other', async () => {
      const a = f.queue({ name: 'outbox' });
      const b = f.queue({ name: 'inbox' });
      await a.enqueue({});
      const gate = latch();
      const sending = latch();
      const first = a.runOnce({
        send: () => {
          sending.open();
          return gate.promise;
        },
      });
      await sending.promise;
      expect((await b.runOnce({ send: async () => {} })).skipped).toBeNull();
      gate.open();
      expect((await first).sent).toBe(1);
    });
  });
}
