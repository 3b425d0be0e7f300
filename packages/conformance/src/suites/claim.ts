import type { StorageAdapter } from '@org/msgqueue';
import { createQueue } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';
import type { ConformanceOptions } from '../harness.js';

/** Claiming: due rows only, in order, never more than the limit, never one row to two claims. */
export function claimSuite(f: Fixture, options: Required<ConformanceOptions>): void {
  describe('claim', () => {
    it('moves due PENDING messages to PROCESSING under one fresh token, counting the attempt', async () => {
      const q = f.queue<{ n: number }>();
      const { id } = await q.enqueue({ n: 1 });
      const claim = await q.claimBatch();
      expect(claim.messages).toHaveLength(1);
      const [m] = claim.messages;
      expect(m).toMatchObject({ id, payload: { n: 1 }, attempts: 1, token: claim.token, possiblySent: false });
      expect(m!.idempotencyKey).toContain(id);
      const row = await q.get(id);
      expect(row).toMatchObject({ status: 'PROCESSING', claimToken: claim.token, attempts: 1 });
      const leaseLeft = row!.leaseUntil!.getTime() - row!.updatedAt.getTime();
      expect(leaseLeft).toBeGreaterThan(10 * MINUTE - 5_000);
      expect(leaseLeft).toBeLessThanOrEqual(10 * MINUTE + 5_000);
      expect((await q.claimBatch()).messages).toHaveLength(0);
    });

    it('never returns more than the limit, and drains in slices', async () => {
      const q = f.queue();
      await q.enqueueMany(Array.from({ length: 25 }, (_, i) => ({ payload: { i } })));
      const sizes: number[] = [];
      for (let c = await q.claimBatch({ limit: 10 }); c.messages.length; c = await q.claimBatch({ limit: 10 })) {
        sizes.push(c.messages.length);
      }
      expect(sizes).toEqual([10, 10, 5]);
    });

    f.engine('claims by priority, then availability, then id', async () => {
      const q = f.queue<string>();
      await q.enqueue('low', { priority: 5 });
      await f.ctx.advance(1_000);
      await q.enqueue('high-later', { priority: -1 });
      await q.enqueue('normal', { priority: 0, delayMs: 0 });
      const claim = await q.claimBatch({ limit: 3 });
      expect(claim.messages.map((m) => m.payload)).toEqual(['high-later', 'normal', 'low']);
    });

    f.engine('leaves delayed and scheduled messages alone until they are due', async () => {
      const q = f.queue<string>();
      await q.enqueue('in-5-min', { delayMs: 5 * MINUTE });
      const now = (await q.diagnose()).at;
      await q.enqueue('at-10-min', { availableAt: new Date(now.getTime() + 10 * MINUTE) });
      expect((await q.claimBatch()).messages).toHaveLength(0);
      await f.ctx.advance(5 * MINUTE + 1_000);
      expect((await q.claimBatch()).messages.map((m) => m.payload)).toEqual(['in-5-min']);
      await f.ctx.advance(5 * MINUTE);
      expect((await q.claimBatch()).messages.map((m) => m.payload)).toEqual(['at-10-min']);
    });

    f.engine('does not hand a message with a live lease to another claim', async () => {
      const q = f.queue();
      await q.enqueue({});
      expect((await q.claimBatch()).messages).toHaveLength(1);
      await f.ctx.advance(9 * MINUTE);
      await q.recycleStuck();
      expect((await q.claimBatch()).messages).toHaveLength(0);
    });

    it(`concurrent claimers never share a message (${options.claimers} claimers, ${options.messages} messages)`, async (t) => {
      const { claimIsolation } = f.ctx.adapter.capabilities;
      // An adapter that keeps claims apart across connections proves it over connections of its own.
      if (claimIsolation !== 'in-process' && !f.ctx.connect) {
        t.skip(`claimIsolation is ${claimIsolation}: give the harness connect() so claimers use connections of their own`);
      }
      const q = f.queue();
      for (let i = 0; i < options.messages; i += 500) {
        const n = Math.min(500, options.messages - i);
        await q.enqueueMany(Array.from({ length: n }, (_, j) => ({ payload: { i: i + j } })));
      }
      const adapters: StorageAdapter[] = [];
      for (let i = 0; i < options.claimers; i++) adapters.push(claimIsolation === 'in-process' ? f.ctx.adapter : await f.ctx.connect!());
      const seen = new Map<string, string>();
      const duplicates: string[] = [];
      let overLimit = 0;
      await Promise.all(
        adapters.map(async (adapter, w) => {
          const worker = createQueue({ adapter });
          const limit = 1 + (w % 7);
          for (;;) {
            const claim = await worker.claimBatch({ limit });
            if (claim.messages.length === 0) break;
            if (claim.messages.length > limit) overLimit++;
            for (const m of claim.messages) {
              if (seen.has(m.id)) duplicates.push(m.id);
              seen.set(m.id, claim.token);
            }
          }
        }),
      );
      expect(duplicates).toEqual([]);
      expect(overLimit).toBe(0);
      expect(seen.size).toBe(options.messages);
      const report = await q.diagnose();
      expect(report.counts.PROCESSING).toBe(options.messages);
      expect(report.counts.PENDING).toBe(0);
    });
  });
}
