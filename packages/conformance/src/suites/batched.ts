import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/** The optional batched transitions: each message of a batch fenced on its own. */
export function batchedSuite(f: Fixture): void {
  describe('batched guard and ack', () => {
    it('guardMany moves the claimed messages to SENDING and refuses a stale one, leaving it untouched', async (t) => {
      const a = f.ctx.adapter;
      if (!a.guardMany) t.skip('the adapter has no guardMany: the core guards one message at a time');
      const q = f.queue();
      await q.enqueueMany([1, 2, 3].map((n) => ({ payload: { n } })));
      const [m1, m2, m3] = (await q.claimBatch({ limit: 3 })).messages;
      const outcomes = await a.guardMany!({
        messages: [m1!, { id: m2!.id, token: 'AAAAAAAAAAAAAAAAAAAAAA' }, m3!, { id: 'no-such-message', token: m1!.token }],
        minLeaseMs: MINUTE,
      });
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
      expect(outcomes[0]).toMatchObject({ ok: true, record: { id: m1!.id, status: 'SENDING', claimToken: m1!.token } });
      expect(outcomes[1]).toMatchObject({ ok: false, current: { id: m2!.id, status: 'PROCESSING', claimToken: m2!.token } });
      expect(outcomes[3]).toMatchObject({ ok: false, current: null });
      expect((await q.get(m2!.id))?.status).toBe('PROCESSING');
      // Too little lease left: refused, as guard would.
      const late = await a.guardMany!({ messages: [m2!], minLeaseMs: 11 * MINUTE });
      expect(late[0]).toMatchObject({ ok: false });
      expect((await q.guardBeforeSend(m2!)).ok).toBe(true);
    });

    it('ackMany settles the claimed messages as SENT and refuses one whose claim was lost', async (t) => {
      const a = f.ctx.adapter;
      if (!a.ackMany) t.skip('the adapter has no ackMany: the core acknowledges one message at a time');
      const q = f.queue();
      await q.enqueueMany([1, 2, 3].map((n) => ({ payload: { n } })));
      const [m1, m2, m3] = (await q.claimBatch({ limit: 3 })).messages;
      await q.guardBeforeSend(m1!);
      await q.release(m3!); // m3's claim is gone
      const outcomes = await a.ackMany!([m1!, m2!, m3!]);
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, false]);
      expect(outcomes[0]).toMatchObject({ ok: true, record: { status: 'SENT', claimToken: null, leaseUntil: null } });
      expect(outcomes[2]).toMatchObject({ ok: false, current: { id: m3!.id, status: 'PENDING', claimToken: null } });
      expect((await q.diagnose()).counts).toMatchObject({ SENT: 2, PENDING: 1 });
      // Acked twice: the second is refused (the token was cleared).
      expect((await a.ackMany!([m1!]))[0]).toMatchObject({ ok: false, current: { status: 'SENT' } });
    });
  });
}
