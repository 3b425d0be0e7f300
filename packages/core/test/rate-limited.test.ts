/**
 * A provider's 429 in a tick: the gate it names is held for every process for the wait it asked,
 * the refused message goes back without spending an attempt, and nothing more starts behind the
 * gate in this tick; a 429 for one group key leaves the other keys going. Retry-After parsing.
 */
import { createQueue, ManualClock, memoryAdapter, RateLimitedSendError, retryAfterMs } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

describe('a provider that answers 429', () => {
  it('holds the whole queue for every process, gives the message back unspent, starts nothing more', async () => {
    const clock = new ManualClock();
    const adapter = memoryAdapter({ clock: clock.now });
    const q = createQueue<number>({ adapter, maxAttempts: 1 });
    const other = createQueue<number>({ adapter }); // another instance over the same storage
    await q.enqueueMany([1, 2, 3].map((payload) => ({ payload })));
    const attempts: number[] = [];
    const summary = await q.runOnce({
      concurrency: 1,
      send: async (m) => {
        attempts.push(m.payload);
        throw new RateLimitedSendError('provider: 429 Too Many Requests', { retryAfterMs: 5000 });
      },
    });
    expect(attempts).toEqual([1]); // the first 429 stopped the tick
    expect(summary).toMatchObject({ claimed: 3, sent: 0, failed: 0, retried: 0, rateLimited: 3 });
    const { gates, now } = await q.gates();
    expect(gates).toEqual([
      expect.objectContaining({ key: null, paused: false, note: expect.stringContaining('provider asked to wait 5000 ms') }),
    ]);
    expect(gates[0]!.pausedUntil!.getTime() - now.getTime()).toBe(5000);
    const first = (await q.diagnose({ sampleSize: 0 })).counts;
    expect(first).toMatchObject({ PENDING: 3, FAILED: 0 }); // maxAttempts 1, yet nothing failed: the attempt was refunded
    const refused = await q.get((await adapter.find({ queue: 'default', statuses: ['PENDING'], limit: 10 })).rows[0]!.id);
    expect(refused).toMatchObject({ attempts: 0, lastError: expect.stringContaining('429') });

    expect((await other.runOnce({ send: async () => {} })).claimed).toBe(0);
    clock.advance(4999);
    expect((await other.runOnce({ send: async () => {} })).claimed).toBe(0);
    clock.advance(1);
    expect(await other.runOnce({ send: async () => {} })).toMatchObject({ claimed: 3, sent: 3 });
  });

  it('a 429 for one group key holds that key only: the other keys go at full speed', async () => {
    const clock = new ManualClock();
    const q = createQueue<string>({ adapter: memoryAdapter({ clock: clock.now }) });
    for (const key of ['+33600000001', '+33600000002']) {
      for (const n of [1, 2]) await q.enqueue(`${key}#${n}`, { groupKey: key });
    }
    const sent: string[] = [];
    const send = async (m: { payload: string; groupKey: string | null }) => {
      if (m.groupKey === '+33600000001') throw new RateLimitedSendError('429', { retryAfterMs: 60_000, key: m.groupKey });
      sent.push(m.payload);
    };
    for (let i = 0; i < 3; i++) await q.runOnce({ send });
    expect(sent).toEqual(['+33600000002#1', '+33600000002#2']);
    expect((await q.gates()).gates).toEqual([expect.objectContaining({ key: '+33600000001' })]);
    clock.advance(60_000);
    await q.runOnce({ send: async (m) => void sent.push(m.payload) });
    await q.runOnce({ send: async (m) => void sent.push(m.payload) });
    expect(sent.slice(2)).toEqual(['+33600000001#1', '+33600000001#2']);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    expect(retryAfterMs('5', now)).toBe(5000);
    expect(retryAfterMs(' 1.5 ', now)).toBe(1500);
    expect(retryAfterMs('Sun, 06 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Sun, 06 Dec 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
    expect(new RateLimitedSendError('x', { retryAfterMs: Number.NaN }).retryAfterMs).toBe(1);
  });
});
