import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/** Recycling expired leases, by delivery mode and attempts. */
export function recycleSuite(f: Fixture): void {
  describe('recycleStuck', () => {
    it('returns expired PROCESSING rows to PENDING, keeping the attempt count', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      await q.claimBatch();
      await f.ctx.advance(10 * MINUTE + 1_000);
      const r = await q.recycleStuck();
      expect(r).toMatchObject({ released: [id], releasedPossiblySent: [], held: [], failed: [], total: 1 });
      expect(await q.get(id)).toMatchObject({ status: 'PENDING', attempts: 1, claimToken: null, leaseUntil: null, possiblySent: false });
      expect((await q.claimBatch()).messages[0]).toMatchObject({ id, attempts: 2 });
    });

    f.engine('leaves live leases alone', async () => {
      const q = f.queue();
      await q.enqueue({});
      await q.enqueue({});
      const [a] = (await q.claimBatch({ limit: 1 })).messages;
      await f.ctx.advance(6 * MINUTE);
      await q.claimBatch({ limit: 1 });
      await f.ctx.advance(5 * MINUTE); // a expired, b has 5 min left
      expect((await q.recycleStuck()).released).toEqual([a!.id]);
    });

    it('at-least-once: an expired SENDING row goes back to PENDING flagged possiblySent, with the same idempotency key', async () => {
      const q = f.queue({ deliveryMode: 'at-least-once' });
      const { id } = await q.enqueue({});
      const first = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(first);
      await f.ctx.advance(11 * MINUTE);
      expect((await q.recycleStuck()).releasedPossiblySent).toEqual([id]);
      const again = (await q.claimBatch()).messages[0]!;
      expect(again).toMatchObject({ id, possiblySent: true, attempts: 2, idempotencyKey: first.idempotencyKey });
    });

    it('at-most-once: an expired SENDING row is HELD and never claimed again', async () => {
      const q = f.queue({ deliveryMode: 'at-most-once' });
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(m);
      await f.ctx.advance(11 * MINUTE);
      expect((await q.recycleStuck()).held).toEqual([id]);
      expect(await q.get(id)).toMatchObject({ status: 'HELD', claimToken: null });
      await f.ctx.advance(60 * MINUTE);
      await q.recycleStuck();
      expect((await q.claimBatch()).messages).toHaveLength(0);
      const report = await q.diagnose();
      expect(report.heldForReview).toBe(1);
      expect(report.findings.map((x) => x.code)).toContain('HELD_FOR_REVIEW');
    });

    f.engine('at-most-once still retries rows that never passed the guard', async () => {
      const q = f.queue({ deliveryMode: 'at-most-once' });
      const { id } = await q.enqueue({});
      await q.claimBatch();
      await f.ctx.advance(11 * MINUTE);
      expect((await q.recycleStuck()).released).toEqual([id]);
    });

    f.engine('a message that crashes its worker every time ends FAILED after maxAttempts (graphile-worker #254)', async () => {
      const q = f.queue({ maxAttempts: 3 });
      const { id } = await q.enqueue({});
      for (let attempt = 1; attempt <= 3; attempt++) {
        const c = await q.claimBatch();
        expect(c.messages[0]).toMatchObject({ id, attempts: attempt });
        await f.ctx.advance(11 * MINUTE); // the worker died: nobody acks, fails or releases
        await q.recycleStuck();
      }
      expect(await q.get(id)).toMatchObject({ status: 'FAILED', attempts: 3 });
      expect((await q.get(id))!.lastError).toMatch(/lease expired/);
      expect((await q.claimBatch()).messages).toHaveLength(0);
    });

    for (const mode of ['at-least-once', 'at-most-once'] as const) {
      f.engine(`${mode}: a row left in flight without a lease by other code comes back after orphanGraceMs, maybe sent`, async (t) => {
        if (!f.ctx.strand) t.skip('the harness gives no strand(): it cannot write a row as other code would');
        const q = f.queue({ deliveryMode: mode, orphanGraceMs: 5 * MINUTE });
        const { id } = await q.enqueue({});
        const { id: sending } = await q.enqueue({});
        await f.ctx.strand!(id, 'PROCESSING');
        await f.ctx.strand!(sending, 'SENDING');
        await f.ctx.advance(4 * MINUTE); // inside the grace period: the other code may still be on it
        expect((await q.recycleStuck()).total).toBe(0);
        expect((await q.diagnose()).orphanedInFlight).toBe(2);
        await f.ctx.advance(2 * MINUTE);
        const r = await q.recycleStuck();
        expect(r.orphans.sort()).toEqual([id, sending].sort());
        const expected = mode === 'at-least-once' ? 'PENDING' : 'HELD';
        for (const m of [id, sending]) {
          expect(await q.get(m)).toMatchObject({ status: expected, possiblySent: true, claimToken: null, leaseUntil: null });
        }
        expect(mode === 'at-least-once' ? r.releasedPossiblySent.length : r.held.length).toBe(2);
        expect((await q.diagnose()).orphanedInFlight).toBe(0);
      });
    }

    f.engine('recycles at most `limit` rows per call', async () => {
      const q = f.queue();
      await q.enqueueMany(Array.from({ length: 5 }, () => ({ payload: {} })));
      await q.claimBatch();
      await f.ctx.advance(11 * MINUTE);
      expect((await q.recycleStuck({ limit: 2 })).total).toBe(2);
      expect((await q.recycleStuck({ limit: 10 })).total).toBe(3);
    });
  });
}
