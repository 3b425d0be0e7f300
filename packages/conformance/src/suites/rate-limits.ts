import type { Queue, StorageAdapter } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/**
 * Rate limits shared by every process (`rateLimit`): the storage's slots are never granted twice,
 * a queue's limit stops every connection's claims once its slots are used, until `perMs` after the
 * sends ended; a key's limit turns back that key's messages (their attempt not counted) while the
 * other keys go on. Time moves with `ctx.advance`, so nothing here depends on how fast the machine
 * is. Skipped, saying why, for an adapter that does not declare `capabilities.rateLimits`.
 */
export function rateLimitsSuite(f: Fixture): void {
  describe('rate limits across processes', () => {
    const supported = (t: { skip(note: string): void }) => {
      if (!f.ctx.adapter.capabilities.rateLimits) t.skip('the adapter does not declare capabilities.rateLimits');
    };
    const other = async (): Promise<StorageAdapter> => (f.ctx.connect ? f.ctx.connect() : f.ctx.adapter);
    /** A queue over another connection (or the same adapter, without `connect`): another process. */
    const elsewhere = async <P>(options: Parameters<Fixture['queue']>[0]): Promise<Queue<P>> =>
      f.queue<P>({ ...options, ...(f.ctx.connect ? { adapter: await f.ctx.connect() } : {}) });
    // A tick that would wait for a slot does not: time only moves with ctx.advance here.
    const noWait = { timeBudgetMs: 1000 };

    it("a queue's limit holds for every connection: max sends, then no claim until perMs after they ended", async (t) => {
      supported(t);
      const rateLimit = { max: 3, perMs: MINUTE };
      const q = f.queue<{ n: number }>({ rateLimit });
      const there = await elsewhere<{ n: number }>({ rateLimit });
      await q.enqueueMany([1, 2, 3, 4, 5].map((n) => ({ payload: { n } })));
      const sent: number[] = [];
      const send = async (m: { payload: { n: number } }) => void sent.push(m.payload.n);
      const first = await q.runOnce({ send, ...noWait });
      expect(first).toMatchObject({ claimed: 3, sent: 3 });
      expect(first.throttledForMs).toBeGreaterThan(0);
      expect(await there.runOnce({ send, ...noWait })).toMatchObject({ claimed: 0 });
      const report = await there.diagnose({ sampleSize: 0 });
      expect(report.counts).toMatchObject({ SENT: 3, PENDING: 2 });
      expect(report.atRateLimit).toEqual([expect.objectContaining({ key: null, max: 3, perMs: MINUTE, nextFreeAt: expect.any(Date) })]);
      expect(report.findings.map((x) => x.code)).toContain('QUEUE_RATE_LIMITED');

      await f.ctx.advance(MINUTE);
      expect(await there.runOnce({ send, ...noWait })).toMatchObject({ claimed: 2, sent: 2 });
      expect(sent.sort()).toEqual([1, 2, 3, 4, 5]);
    });

    f.engine('slots are never granted twice: four connections racing for five slots get five between them', async (t) => {
      supported(t);
      const adapters = await Promise.all(Array.from({ length: 4 }, other));
      const request = { queue: 'default', key: null, max: 5, perMs: MINUTE, leaseMs: MINUTE, want: 3 };
      const grants = await Promise.all(adapters.map((a, i) => a.takeSlots!({ ...request, holder: `holder-${i}` })));
      const all = grants.flatMap((g) => g.slots);
      expect(all.sort()).toEqual([0, 1, 2, 3, 4]);
      for (const g of grants) if (g.slots.length < 3) expect(g.retryInMs).toBeGreaterThanOrEqual(0);
      const again = await adapters[0]!.takeSlots!({ ...request, want: 1, holder: 'late' });
      expect(again.slots).toEqual([]);
      expect(again.retryInMs).toBeLessThanOrEqual(MINUTE);
    });

    f.engine('a slot goes back only from its holder: used, free perMs later; unused, free at once', async (t) => {
      supported(t);
      const a = f.ctx.adapter;
      const request = { queue: 'default', key: 'sender:1', max: 2, perMs: MINUTE, leaseMs: 10 * MINUTE, want: 2 };
      const taken = await a.takeSlots!({ ...request, holder: 'tick-a' });
      expect(taken).toEqual({ slots: [0, 1], retryInMs: null });
      // Not its holder: nothing changes.
      await a.returnSlots!({ queue: 'default', holder: 'tick-b', slots: [{ key: 'sender:1', slot: 0, used: false, perMs: MINUTE }] });
      expect((await a.takeSlots!({ ...request, want: 1, holder: 'tick-c' })).slots).toEqual([]);
      await a.returnSlots!({
        queue: 'default',
        holder: 'tick-a',
        slots: [
          { key: 'sender:1', slot: 0, used: false, perMs: MINUTE },
          { key: 'sender:1', slot: 1, used: true, perMs: MINUTE },
        ],
      });
      expect((await a.takeSlots!({ ...request, holder: 'tick-c' })).slots).toEqual([0]);
      const inUse = await a.slotsInUse!({ queue: 'default' });
      expect(inUse.keys).toEqual([{ key: 'sender:1', busy: 2, nextFreeAt: expect.any(Date) }]);
      await f.ctx.advance(MINUTE);
      expect((await a.takeSlots!({ ...request, want: 1, holder: 'tick-d' })).slots).toEqual([1]);
      // Another queue's slots, and a key too long or odd to store as it is, are their own.
      expect((await a.takeSlots!({ ...request, queue: 'other', holder: 'x' })).slots).toEqual([0, 1]);
      const odd = `${'ж'.repeat(300)}\u0007`;
      expect((await a.takeSlots!({ ...request, key: odd, want: 1, holder: 'x' })).slots).toEqual([0]);
      expect((await a.takeSlots!({ ...request, key: `${odd}!`, want: 2, holder: 'x' })).slots).toEqual([0, 1]);
    });

    it("a key's limit turns back that key's messages, unspent, while the other keys go on", async (t) => {
      supported(t);
      const rateLimit = { max: 1, perMs: MINUTE, key: (m: { payload: unknown }) => (m.payload as { from: string }).from };
      const q = f.queue<{ from: string; n: number }>({ rateLimit, maxAttempts: 1 });
      await q.enqueueMany([
        { payload: { from: 'hot', n: 1 } },
        { payload: { from: 'hot', n: 2 } },
        { payload: { from: 'hot', n: 3 } },
        { payload: { from: 'cold-a', n: 1 } },
        { payload: { from: 'cold-b', n: 1 } },
      ]);
      const sent: string[] = [];
      const send = async (m: { payload: { from: string; n: number } }) => void sent.push(`${m.payload.from}#${m.payload.n}`);
      const first = await q.runOnce({ send, concurrency: 10, ...noWait });
      expect(first).toMatchObject({ claimed: 5, sent: 3, throttled: 2, failed: 0 });
      expect(sent.sort()).toEqual(['cold-a#1', 'cold-b#1', 'hot#1']);
      const there = await elsewhere<{ from: string; n: number }>({ rateLimit, maxAttempts: 1 });
      expect((await there.runOnce({ send, ...noWait })).claimed).toBe(0); // turned back for when their key has a slot
      const report = await there.diagnose({ sampleSize: 0 });
      expect(report.counts).toMatchObject({ SENT: 3, PENDING: 2, FAILED: 0 });
      expect(report.atRateLimit.map((a) => a.key).sort()).toEqual(['cold-a', 'cold-b', 'hot']);

      await f.ctx.advance(MINUTE);
      expect(await there.runOnce({ send, concurrency: 10, ...noWait })).toMatchObject({ sent: 1, failed: 0 });
      await f.ctx.advance(MINUTE);
      expect(await q.runOnce({ send, concurrency: 10, ...noWait })).toMatchObject({ sent: 1, failed: 0 });
      expect(sent.slice(3)).toEqual(['hot#2', 'hot#3']);
      expect((await q.diagnose({ sampleSize: 0 })).counts).toMatchObject({ SENT: 5, FAILED: 0 }); // maxAttempts 1: none spent
    });
  });
}
