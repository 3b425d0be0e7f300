import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/** The pre-send guard: the one compare-and-set that decides whether a send may start. */
export function guardSuite(f: Fixture): void {
  describe('guardBeforeSend', () => {
    it('moves PROCESSING to SENDING for the owner of the claim', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      expect(await q.guardBeforeSend(m)).toMatchObject({ ok: true, status: 'SENDING' });
      expect(await q.get(id)).toMatchObject({ status: 'SENDING', claimToken: m.token });
    });

    f.engine('refuses a second guard of the same claim (wrong-status)', async () => {
      const q = f.queue();
      await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(m);
      expect(await q.guardBeforeSend(m)).toMatchObject({ ok: false, reason: 'wrong-status', status: 'SENDING' });
    });

    it('refuses when less lease is left than guardMarginMs, and changes nothing', async () => {
      const q = f.queue({ leaseMs: 2 * MINUTE, guardMarginMs: MINUTE });
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await f.ctx.advance(90_000); // 30 s left, margin is 60 s
      expect(await q.guardBeforeSend(m)).toMatchObject({ ok: false, reason: 'lease-too-short', status: 'PROCESSING' });
      expect(await q.get(id)).toMatchObject({ status: 'PROCESSING' });
      expect((await q.extendLease(m)).ok).toBe(true);
      expect((await q.guardBeforeSend(m)).ok).toBe(true);
    });

    f.engine('refuses once the lease has expired, even before any recycle', async () => {
      const q = f.queue();
      await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await f.ctx.advance(11 * MINUTE);
      expect(await q.guardBeforeSend(m)).toMatchObject({ ok: false, reason: 'lease-expired' });
    });

    f.engine('release is refused after the guard: a possibly-sent message must be acked or failed', async () => {
      const q = f.queue();
      await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(m);
      expect(await q.release(m)).toMatchObject({ ok: false, reason: 'wrong-status', status: 'SENDING' });
    });
  });
}
