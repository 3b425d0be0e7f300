import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/** Fencing: once a claim lost its message, none of its transitions take effect. */
export function fencingSuite(f: Fixture): void {
  describe('fencing', () => {
    it("a slow worker's row is recycled and re-claimed: its guard, ack, fail, extend and release are refused", async () => {
      const q = f.queue<string>();
      const { id } = await q.enqueue('hello');
      const slow = (await q.claimBatch()).messages[0]!;
      await f.ctx.advance(11 * MINUTE); // the slow worker overran its lease
      expect((await q.recycleStuck()).released).toEqual([id]);
      const fresh = (await q.claimBatch()).messages[0]!;
      expect(fresh.id).toBe(id);
      expect(fresh.token).not.toBe(slow.token);

      for (const result of [
        await q.guardBeforeSend(slow),
        await q.ack(slow),
        await q.fail(slow, new Error('late')),
        await q.extendLease(slow),
        await q.release(slow),
      ]) {
        expect(result).toMatchObject({ ok: false, reason: 'stale-claim' });
      }
      const row = await q.get(id);
      expect(row).toMatchObject({ status: 'PROCESSING', claimToken: fresh.token, attempts: 2 });
      expect(await q.guardBeforeSend(fresh)).toMatchObject({ ok: true, status: 'SENDING' });
      expect(await q.ack(fresh)).toMatchObject({ ok: true, status: 'SENT' });
      expect(await q.get(id)).toMatchObject({ status: 'SENT', claimToken: null });
    });

    f.engine('a stale ack after a recycle without re-claim does not mark the message sent (bull #1416)', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(m);
      await f.ctx.advance(11 * MINUTE);
      expect((await q.recycleStuck()).releasedPossiblySent).toEqual([id]);
      expect(await q.ack(m)).toMatchObject({ ok: false, reason: 'stale-claim', status: 'PENDING' });
      expect(await q.get(id)).toMatchObject({ status: 'PENDING', possiblySent: true, claimToken: null });
    });

    f.engine('a made-up token is refused and changes nothing', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      const forged = { id, token: 'AAAAAAAAAAAAAAAAAAAAAA' };
      expect(await q.guardBeforeSend(forged)).toMatchObject({ ok: false, reason: 'stale-claim' });
      expect(await q.ack(forged)).toMatchObject({ ok: false, reason: 'stale-claim' });
      expect(await q.get(id)).toMatchObject({ status: 'PROCESSING', claimToken: m.token });
    });

    it('answers not-found for an unknown id', async () => {
      const q = f.queue();
      expect(await q.ack({ id: 'no-such-message', token: 'AAAAAAAAAAAAAAAAAAAAAA' })).toMatchObject({
        ok: false,
        reason: 'not-found',
        status: null,
      });
    });

    f.engine('a second ack of the same claim is refused: SENT is terminal', async () => {
      const q = f.queue();
      await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(m);
      expect((await q.ack(m)).ok).toBe(true);
      expect(await q.ack(m)).toMatchObject({ ok: false, reason: 'stale-claim', status: 'SENT' });
    });

    f.engine('an acknowledged message is never touched by a later recycle (River #1302)', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(m);
      await f.ctx.advance(11 * MINUTE); // lease expired but nobody recycled yet: the ack still wins
      expect((await q.ack(m)).ok).toBe(true);
      const recycled = await q.recycleStuck();
      expect(recycled.total).toBe(0);
      expect(await q.get(id)).toMatchObject({ status: 'SENT' });
    });
  });
}
