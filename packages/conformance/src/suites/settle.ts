import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/** ack, fail with backoff, release, extendLease. */
export function settleSuite(f: Fixture): void {
  describe('ack / fail / release / extendLease', () => {
    it('fail(retryable) returns the message to PENDING after a backoff delay, with the error recorded', async () => {
      const q = f.queue({ backoff: { baseMs: 60_000, maxMs: 3_600_000, jitter: false } });
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(m);
      const r = await q.fail(m, new Error('provider 503'));
      expect(r).toMatchObject({ ok: true, outcome: 'retry', status: 'PENDING' });
      const row = await q.get(id);
      expect(row).toMatchObject({ status: 'PENDING', attempts: 1, claimToken: null });
      expect(row!.lastError).toContain('provider 503');
      expect(row!.availableAt.getTime() - row!.updatedAt.getTime()).toBeGreaterThanOrEqual(59_000);
      expect((await q.claimBatch()).messages).toHaveLength(0);
      await f.ctx.advance(61_000);
      const second = (await q.claimBatch()).messages[0]!;
      expect(second).toMatchObject({ id, attempts: 2 });
      await q.fail(second, 'again');
      const after = await q.get(id);
      // exponential: the second retry waits twice as long
      expect(after!.availableAt.getTime() - after!.updatedAt.getTime()).toBeGreaterThanOrEqual(119_000);
    });

    f.engine('fail with retryable: false ends FAILED at once', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      expect(await q.fail(m, new Error('invalid number'), { retryable: false })).toMatchObject({ ok: true, outcome: 'failed' });
      expect(await q.get(id)).toMatchObject({ status: 'FAILED', attempts: 1 });
    });

    f.engine('fail on the last attempt ends FAILED', async () => {
      const q = f.queue({ maxAttempts: 2, backoff: { baseMs: 0 } });
      const { id } = await q.enqueue({});
      await q.fail((await q.claimBatch()).messages[0]!, 'one');
      expect(await q.fail((await q.claimBatch()).messages[0]!, 'two')).toMatchObject({ outcome: 'failed' });
      expect(await q.get(id)).toMatchObject({ status: 'FAILED', attempts: 2, lastError: 'two' });
    });

    f.engine('release gives the message back at once without counting the attempt', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      expect(await q.release(m)).toMatchObject({ ok: true, status: 'PENDING' });
      expect(await q.get(id)).toMatchObject({ status: 'PENDING', attempts: 0, claimToken: null });
      expect((await q.claimBatch()).messages[0]).toMatchObject({ id, attempts: 1 });
    });

    f.engine('release with a delay keeps the message back until then', async () => {
      const q = f.queue();
      await q.enqueue({});
      await q.release((await q.claimBatch()).messages[0]!, { delayMs: 2 * MINUTE });
      expect((await q.claimBatch()).messages).toHaveLength(0);
      await f.ctx.advance(2 * MINUTE + 1_000);
      expect((await q.claimBatch()).messages).toHaveLength(1);
    });

    it('extendLease keeps a long job from being recycled', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await f.ctx.advance(8 * MINUTE);
      const r = await q.extendLease(m, { leaseMs: 10 * MINUTE });
      expect(r.ok).toBe(true);
      await f.ctx.advance(8 * MINUTE); // 16 min after the claim, 8 after the extension
      expect((await q.recycleStuck()).total).toBe(0);
      expect(await q.get(id)).toMatchObject({ status: 'PROCESSING', claimToken: m.token });
      expect((await q.guardBeforeSend(m)).ok).toBe(true);
      expect((await q.ack(m)).ok).toBe(true);
    });

    it('ack without a guard is accepted for work that sends nothing', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      expect(await q.ack((await q.claimBatch()).messages[0]!)).toMatchObject({ ok: true, status: 'SENT' });
      expect(await q.get(id)).toMatchObject({ status: 'SENT' });
    });
  });
}
