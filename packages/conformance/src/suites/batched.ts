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

    it('ackAndGuard acknowledges one window and guards the next in one call, each message fenced on its own', async (t) => {
      const a = f.ctx.adapter;
      if (!a.ackAndGuard) t.skip('the adapter has no ackAndGuard: the core acknowledges, then guards');
      const q = f.queue();
      await q.enqueueMany([1, 2, 3, 4, 5, 6].map((n) => ({ payload: { n } })));
      const [s1, s2, s3, n1, n2, n3] = (await q.claimBatch({ limit: 6 })).messages;
      for (const m of [s1!, s2!]) expect((await q.guardBeforeSend(m)).ok).toBe(true);
      await q.release(s3!); // s3's claim is gone: its ack must be refused
      await q.release(n3!); // and so is n3's: its guard must be refused
      const out = await a.ackAndGuard!({
        acks: [s1!, { id: s2!.id, token: 'AAAAAAAAAAAAAAAAAAAAAA' }, s3!],
        guard: { messages: [n1!, n2!, n3!, { id: 'no-such-message', token: n1!.token }], minLeaseMs: MINUTE },
      });
      expect(out.acks.map((o) => o.ok)).toEqual([true, false, false]);
      expect(out.guards.map((o) => o.ok)).toEqual([true, true, false, false]);
      expect(out.acks[0]).toMatchObject({ ok: true, record: { id: s1!.id, status: 'SENT', claimToken: null, leaseUntil: null } });
      expect(out.acks[1]).toMatchObject({ ok: false, current: { id: s2!.id, status: 'SENDING', claimToken: s2!.token } });
      expect(out.acks[2]).toMatchObject({ ok: false, current: { id: s3!.id, status: 'PENDING', claimToken: null } });
      expect(out.guards[0]).toMatchObject({ ok: true, record: { id: n1!.id, status: 'SENDING', claimToken: n1!.token } });
      expect(out.guards[2]).toMatchObject({ ok: false, current: { id: n3!.id, status: 'PENDING' } });
      expect(out.guards[3]).toMatchObject({ ok: false, current: null });
      expect((await q.diagnose()).counts).toMatchObject({ SENT: 1, SENDING: 3, PENDING: 2 });
      // Too little lease left: the guards are refused, the acks still written.
      const [late] = (await q.claimBatch({ limit: 1 })).messages;
      const again = await a.ackAndGuard!({ acks: [n1!], guard: { messages: [late!], minLeaseMs: 11 * MINUTE } });
      expect(again.acks[0]).toMatchObject({ ok: true, record: { status: 'SENT' } });
      expect(again.guards[0]).toMatchObject({ ok: false, current: { id: late!.id, status: 'PROCESSING' } });
    });

    it('claim with guard: the messages come back SENDING (the claim is their guard) or PROCESSING (guarded apart), as the table says', async () => {
      const a = f.ctx.adapter;
      const q = f.queue();
      await q.enqueueMany([1, 2, 3].map((n) => ({ payload: { n } })));
      const token = 'BBBBBBBBBBBBBBBBBBBBBB';
      const records = await a.claim({ queue: 'default', limit: 2, token, leaseMs: 10 * MINUTE, groupPolicy: 'skip', guard: true });
      expect(records).toHaveLength(2);
      const statuses = new Set(records.map((r) => r.status));
      expect(statuses.size).toBe(1);
      const status = records[0]!.status;
      expect(['SENDING', 'PROCESSING']).toContain(status);
      for (const r of records) {
        expect(r).toMatchObject({ claimToken: token, attempts: 1 });
        expect(r.leaseUntil).toBeInstanceOf(Date);
        expect((await q.get(r.id))?.status).toBe(status);
      }
      const [m1, m2] = records.map((r) => ({ id: r.id, token }));
      // A guard after it: refused when the claim already guarded the message (it is SENDING), else it passes.
      expect((await q.guardBeforeSend(m1!)).ok).toBe(status === 'PROCESSING');
      expect((await q.ack(m1!)).ok).toBe(true);
      // A send that never started gives the message back from SENDING too, its attempt refunded.
      if (status === 'SENDING') {
        const back = await a.settle({
          ...m2!,
          from: ['SENDING'],
          to: 'PENDING',
          delayMs: 0,
          error: null,
          refundAttempt: true,
          possiblySent: false,
        });
        expect(back).toMatchObject({ ok: true, record: { status: 'PENDING', attempts: 0, claimToken: null } });
      }
    });

    it('ackAndClaim acknowledges the last batch and claims the next in one call, each ack fenced on its own', async (t) => {
      const a = f.ctx.adapter;
      if (!a.ackAndClaim) t.skip('the adapter has no ackAndClaim: the core acknowledges, then claims');
      const q = f.queue();
      await q.enqueueMany([1, 2, 3, 4, 5].map((n) => ({ payload: { n } })));
      const [s1, s2, s3] = (await q.claimBatch({ limit: 3 })).messages;
      await q.guardBeforeSend(s1!);
      await q.release(s3!); // s3's claim is gone: its ack must be refused
      const token = 'CCCCCCCCCCCCCCCCCCCCCC';
      const out = await a.ackAndClaim!({
        acks: [s1!, s2!, s3!, { id: 'no-such-message', token: s1!.token }],
        claim: { queue: 'default', limit: 10, token, leaseMs: 10 * MINUTE, groupPolicy: 'skip', guard: false },
      });
      expect(out.acks.map((o) => o.ok)).toEqual([true, true, false, false]);
      expect(out.acks[0]).toMatchObject({ ok: true, record: { id: s1!.id, status: 'SENT', claimToken: null, leaseUntil: null } });
      // Refused, and read after the statement: this very claim took it again.
      expect(out.acks[2]).toMatchObject({ ok: false, current: { id: s3!.id, status: 'PROCESSING', claimToken: token } });
      expect(out.acks[3]).toMatchObject({ ok: false, current: null });
      // The claim took what was PENDING (s3 and the two never claimed), in claim order, under its token.
      const claimed = out.records.map((r) => r.id);
      expect(claimed).toHaveLength(3);
      expect(claimed).toContain(s3!.id);
      expect(claimed).not.toContain(s1!.id);
      expect(claimed).not.toContain(s2!.id);
      expect(out.records.every((r) => r.status === 'PROCESSING' && r.claimToken === token)).toBe(true);
      expect((await q.diagnose()).counts).toMatchObject({ SENT: 2, PROCESSING: 3 });
    });

    it('ackAndClaim with a group: the claim sees the table before the acks, so the next message of an acked group waits one claim', async (t) => {
      const a = f.ctx.adapter;
      if (!a.ackAndClaim) t.skip('the adapter has no ackAndClaim');
      const q = f.queue();
      await q.enqueue({ n: 1 }, { groupKey: 'g' });
      await q.enqueue({ n: 2 }, { groupKey: 'g' });
      const [first] = (await q.claimBatch({ limit: 10 })).messages;
      expect(first).toBeDefined();
      const claim = {
        queue: 'default',
        limit: 10,
        token: 'DDDDDDDDDDDDDDDDDDDDDD',
        leaseMs: 10 * MINUTE,
        groupPolicy: 'skip' as const,
        guard: false,
      };
      const out = await a.ackAndClaim!({ acks: [first!], claim });
      expect(out.acks[0]).toMatchObject({ ok: true });
      expect(out.records).toHaveLength(0);
      const next = await a.claim({ ...claim, token: 'EEEEEEEEEEEEEEEEEEEEEE' });
      expect(next.map((r) => r.payload)).toEqual([{ n: 2 }]);
    });
  });
}
