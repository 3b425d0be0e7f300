import { type Queue, RateLimitedSendError } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/**
 * Gates (flow control shared by every process): a paused or held queue — or group key — is not
 * claimed from, by this connection or another; claims already made finish; resume and the end of a
 * a pause for a while open it again. Skipped, saying why, for an adapter that does not declare `capabilities.gates`.
 */
export function gatesSuite(f: Fixture): void {
  describe('gates: pause, resume, pauseFor', () => {
    const supported = (t: { skip(note: string): void }) => {
      if (!f.ctx.adapter.capabilities.gates) t.skip('the adapter does not declare capabilities.gates');
    };
    /** A queue over another connection (or the same adapter, without `connect`): another process. */
    const elsewhere = async <P>(name = 'default'): Promise<Queue<P>> =>
      f.queue<P>({ name, ...(f.ctx.connect ? { adapter: await f.ctx.connect() } : {}) });

    it('a paused queue is claimed from by no connection; a claim made before finishes; resume opens it', async (t) => {
      supported(t);
      const q = f.queue<{ n: number }>();
      await q.enqueueMany([1, 2, 3].map((n) => ({ payload: { n } })));
      const [before] = (await q.claimBatch({ limit: 1 })).messages;
      const gate = await q.pause({ note: 'provider incident' });
      expect(gate).toMatchObject({ queue: 'default', key: null, paused: true, pausedUntil: null, note: 'provider incident' });
      const other = await elsewhere<{ n: number }>();
      expect((await other.claimBatch({ limit: 10 })).messages).toEqual([]);
      expect((await q.claimBatch({ limit: 10 })).messages).toEqual([]);
      expect((await other.runOnce({ send: async () => {} })).claimed).toBe(0);
      // In flight before the pause: its guard and ack still go through.
      expect((await q.guardBeforeSend(before!)).ok).toBe(true);
      expect((await q.ack(before!)).ok).toBe(true);
      const { gates } = await other.gates();
      expect(gates).toEqual([expect.objectContaining({ key: null, paused: true, note: 'provider incident', updatedAt: expect.any(Date) })]);

      expect(await other.resume()).toMatchObject({ paused: false });
      expect((await other.gates()).gates).toEqual([]);
      expect((await q.claimBatch({ limit: 10 })).messages.map((m) => m.payload.n).sort()).toEqual([2, 3]);
    });

    it('a paused group key holds that group only: other groups and ungrouped messages go on', async (t) => {
      supported(t);
      const q = f.queue<string>();
      await q.enqueue('a1', { groupKey: 'conv:a' });
      await q.enqueue('a2', { groupKey: 'conv:a' });
      await q.enqueue('b1', { groupKey: 'conv:b' });
      await q.enqueue('free');
      expect(await q.pause({ key: 'conv:a' })).toMatchObject({ key: 'conv:a', paused: true });
      const sent: string[] = [];
      await (await elsewhere<string>()).runOnce({ send: async (m) => void sent.push(m.payload) });
      expect(sent.sort()).toEqual(['b1', 'free']);
      expect((await q.diagnose()).counts).toMatchObject({ PENDING: 2, SENT: 2 });
      expect((await q.gates()).gates).toEqual([expect.objectContaining({ key: 'conv:a', paused: true })]);

      await q.resume({ key: 'conv:a' });
      await q.runOnce({ send: async (m) => void sent.push(m.payload) });
      await q.runOnce({ send: async (m) => void sent.push(m.payload) });
      expect(sent).toEqual(expect.arrayContaining(['a1', 'a2']));
      expect(sent.indexOf('a1')).toBeLessThan(sent.indexOf('a2')); // the group's order holds
    });

    it('a pause for a while keeps the gate shut until it ends; a shorter one does not shorten it; resume ends it', async (t) => {
      supported(t);
      const q = f.queue();
      await q.enqueue({});
      const first = await q.pauseFor(10 * MINUTE, { note: '429 Retry-After: 600' });
      expect(first).toMatchObject({ key: null, paused: false, pausedUntil: expect.any(Date), note: '429 Retry-After: 600' });
      const { now } = await q.gates();
      const left = first.pausedUntil!.getTime() - now.getTime();
      expect(left).toBeGreaterThan(9 * MINUTE);
      expect(left).toBeLessThanOrEqual(10 * MINUTE);
      const shorter = await (await elsewhere()).pauseFor(1000);
      expect(shorter.pausedUntil?.getTime()).toBe(first.pausedUntil!.getTime());
      expect((await q.claimBatch({ limit: 10 })).messages).toEqual([]);
      await f.ctx.advance(9 * MINUTE);
      expect((await q.claimBatch({ limit: 10 })).messages).toEqual([]);
      await f.ctx.advance(2 * MINUTE);
      expect((await q.gates()).gates).toEqual([]);
      const [m] = (await q.claimBatch({ limit: 10 })).messages;
      expect(m).toBeDefined();
      await q.release(m!);

      // An operator's resume ends a timed pause at once.
      await q.pauseFor(10 * MINUTE);
      expect(await q.resume()).toMatchObject({ paused: false, pausedUntil: null });
      expect((await q.gates()).gates).toEqual([]);
      expect((await q.claimBatch({ limit: 10 })).messages).toHaveLength(1);
    });

    it('a pause and a pause for a while on one gate: the end of the timed one leaves the pause; resume ends both', async (t) => {
      supported(t);
      const q = f.queue();
      await q.enqueue({});
      await q.pause();
      await q.pauseFor(MINUTE);
      await f.ctx.advance(2 * MINUTE);
      expect((await q.gates()).gates).toEqual([expect.objectContaining({ paused: true })]);
      expect((await q.claimBatch({ limit: 1 })).messages).toEqual([]);
      await q.pauseFor(MINUTE);
      expect((await q.gates()).gates).toEqual([expect.objectContaining({ paused: true, pausedUntil: expect.any(Date) })]);
      await q.resume();
      expect((await q.gates()).gates).toEqual([]);
      expect((await q.claimBatch({ limit: 1 })).messages).toHaveLength(1);
    });

    it('a 429 with Retry-After: 5 s in one process: no process sends to the queue for 5 s, and the message keeps its attempt', async (t) => {
      supported(t);
      const q = f.queue<{ n: number }>({ maxAttempts: 1 });
      await q.enqueueMany([1, 2].map((n) => ({ payload: { n } })));
      const tick = await q.runOnce({
        concurrency: 1,
        send: async () => {
          throw new RateLimitedSendError('429 Too Many Requests', { retryAfterMs: 5000 });
        },
      });
      expect(tick).toMatchObject({ sent: 0, failed: 0, rateLimited: 2 });
      const other = await elsewhere<{ n: number }>();
      expect((await other.runOnce({ send: async () => {} })).claimed).toBe(0);
      expect((await other.diagnose()).findings.map((x) => x.code)).toContain('QUEUE_PAUSED_UNTIL');
      await f.ctx.advance(5001);
      const sent: number[] = [];
      expect(await other.runOnce({ send: async (m) => void sent.push(m.payload.n) })).toMatchObject({ sent: 2, failed: 0 });
      expect(sent.sort()).toEqual([1, 2]);
    });

    it("a gate is its queue's alone: pausing one named queue leaves another draining", async (t) => {
      supported(t);
      const sms = f.queue({ name: 'sms' });
      const emails = f.queue({ name: 'emails' });
      await sms.enqueue({});
      await emails.enqueue({});
      await sms.pause();
      expect((await sms.claimBatch({ limit: 1 })).messages).toEqual([]);
      expect((await emails.claimBatch({ limit: 1 })).messages).toHaveLength(1);
      expect((await emails.gates()).gates).toEqual([]);
      expect((await sms.gates()).gates).toHaveLength(1);
    });

    f.engine('concurrent pauses, timed pauses and resumes from many connections leave one consistent gate', async (t) => {
      supported(t);
      const queues = await Promise.all(Array.from({ length: 4 }, () => elsewhere()));
      await Promise.all(
        queues.flatMap((q, i) => [q.pause({ note: `p${i}` }), q.pauseFor(MINUTE * (i + 1)), q.pause({ key: `k${i % 2}` })]),
      );
      const { gates } = await queues[0]!.gates();
      expect(gates.map((g) => g.key)).toEqual([null, 'k0', 'k1']);
      expect(gates[0]).toMatchObject({ paused: true, pausedUntil: expect.any(Date) });
      await Promise.all(queues.map((q, i) => q.resume({ key: `k${i % 2}` })));
      expect((await queues[1]!.gates()).gates).toEqual([
        expect.objectContaining({ key: null, paused: true, pausedUntil: expect.any(Date) }),
      ]);
      await Promise.all(queues.map((q) => q.resume()));
      expect((await queues[2]!.gates()).gates).toEqual([]);
    });
  });
}
