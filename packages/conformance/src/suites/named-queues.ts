import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/** Named queues over one storage: each sees only its own messages. */
export function namedQueuesSuite(f: Fixture): void {
  describe('named queues', () => {
    it("two queues over one storage never claim, recycle or count each other's messages", async () => {
      const sms = f.queue<{ n: number }>({ name: 'sms', maxAttempts: 5 });
      const emails = f.queue<{ n: number }>({ name: 'emails', maxAttempts: 5 });
      await sms.enqueueMany([1, 2, 3].map((n) => ({ payload: { n } })));
      await emails.enqueueMany([4, 5].map((n) => ({ payload: { n } })));
      expect((await sms.diagnose()).counts).toMatchObject({ PENDING: 3 });
      expect((await emails.diagnose()).total).toBe(2);

      const claimed = await sms.claimBatch({ limit: 10 });
      expect(claimed.messages.map((m) => m.payload.n).sort()).toEqual([1, 2, 3]);
      expect((await emails.diagnose()).counts).toMatchObject({ PENDING: 2, PROCESSING: 0 });

      await f.ctx.advance(11 * MINUTE);
      expect((await emails.recycleStuck()).total).toBe(0);
      expect((await emails.diagnose()).expiredInFlight).toBe(0);
      expect((await sms.diagnose()).expiredInFlight).toBe(3);
      expect((await sms.recycleStuck()).released).toHaveLength(3);

      const sent: number[] = [];
      await emails.runOnce({ send: async (m) => void sent.push(m.payload.n) });
      expect(sent.sort()).toEqual([4, 5]);
      expect((await sms.diagnose()).counts).toMatchObject({ PENDING: 3, SENT: 0 });
      expect((await emails.diagnose()).counts).toMatchObject({ SENT: 2 });
    });

    it('queueNames lists each queue that has messages, once, and forgets one whose messages are all purged', async (t) => {
      if (!f.ctx.adapter.queueNames) t.skip('the adapter does not declare queueNames');
      const names = () => f.ctx.adapter.queueNames!();
      expect(await names()).toEqual([]);
      const sms = f.queue({ name: 'sms' });
      await sms.enqueueMany([1, 2, 3].map((n) => ({ payload: { n } })));
      await f.queue({ name: 'emails' }).enqueue({});
      await f.queue({ name: 'alerts' }).enqueue({});
      expect(await names()).toEqual(['alerts', 'emails', 'sms']);
      await sms.runOnce({ send: async () => {} });
      await f.ctx.advance(2 * MINUTE);
      expect((await sms.purge({ olderThanMs: MINUTE })).changed).toBe(3);
      expect(await names()).toEqual(['alerts', 'emails']);
    });

    f.engine('a dedupe key is per queue', async () => {
      const sms = f.queue({ name: 'sms' });
      const emails = f.queue({ name: 'emails' });
      const a = await sms.enqueue({}, { dedupeKey: 'welcome:42' });
      const b = await emails.enqueue({}, { dedupeKey: 'welcome:42' });
      expect(a.created && b.created).toBe(true);
      expect(a.id).not.toBe(b.id);
      expect(await sms.enqueue({}, { dedupeKey: 'welcome:42' })).toEqual({ id: a.id, created: false });
    });

    f.engine("retry takes only its own queue's message", async () => {
      const sms = f.queue({ name: 'sms', maxAttempts: 1 });
      const emails = f.queue({ name: 'emails' });
      const { id } = await sms.enqueue({});
      await sms.fail((await sms.claimBatch()).messages[0]!, 'gone');
      expect(await emails.retry(id)).toMatchObject({ ok: false, reason: 'not-found' });
      expect(await sms.retry(id)).toMatchObject({ ok: true, status: 'PENDING' });
    });

    f.engine('the same group key in two queues is two groups', async () => {
      const sms = f.queue({ name: 'sms' });
      const emails = f.queue({ name: 'emails' });
      await sms.enqueue({}, { groupKey: 'user:7' });
      await emails.enqueue({}, { groupKey: 'user:7' });
      expect((await sms.claimBatch()).messages).toHaveLength(1); // sms's user:7 is now in flight…
      expect((await emails.claimBatch()).messages).toHaveLength(1); // …and holds nothing back in emails
    });
  });
}
