/**
 * Rate limits shared by every process over one storage (the memory adapter here; the conformance
 * suite runs the same over every database): no window of `perMs` sees more than `max` sends, counted
 * from the end of each send; a tick claims only what the queue's limit lets it send and waits for
 * slots inside its budget; a keyed limit holds each key while the other keys go on. What is asserted
 * is the limit in the order of events on the adapter's clock, never a duration.
 */
import { createQueue, ManualClock, MsgQueueError, memoryAdapter, type StorageAdapter } from '@org/msgqueue';
import { mostWithin } from '@org/msgqueue-test-support';
import { describe, expect, it } from 'vitest';

// With a ManualClock, a tick's wait for a slot lasts its whole budget (the clock does not move while
// it waits): those ticks get a budget of 1 s, which the waits below never fit in.
describe('rateLimit', () => {
  it('refuses bad limits, and an adapter that keeps no slots, before anything is written', () => {
    const adapter = memoryAdapter();
    const bad: [unknown, string][] = [
      [{ max: 0, perMs: 1000 }, 'options.rateLimit.max'],
      [{ max: 5, perMs: 5 }, 'options.rateLimit.perMs'],
      [{ max: 5 }, 'options.rateLimit.perMs'],
      [{ max: 5, perMs: 1000, key: 'sender' }, 'options.rateLimit.key'],
      [[], 'options.rateLimit'],
      [
        [
          { max: 5, perMs: 1000 },
          { max: 50, perMs: 60_000 },
        ],
        'options.rateLimit',
      ],
      [[{ max: 5, perMs: 1000 }, { max: 1 }], 'options.rateLimit[1].perMs'],
    ];
    for (const [rateLimit, field] of bad) {
      expect(() => createQueue({ adapter, rateLimit: rateLimit as never }), JSON.stringify(rateLimit)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', field }),
      );
    }
    expect(() => createQueue({ adapter, rateLimit: { max: 5, perMs: 1000, per: 'group' } as never })).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_OPTION', field: 'options.rateLimit.per' }),
    );
    const { takeSlots: _t, returnSlots: _r, slotsInUse: _s, ...rest } = adapter;
    const without: StorageAdapter = { ...rest, capabilities: { ...adapter.capabilities, rateLimits: false } };
    expect(() => createQueue({ adapter: without, rateLimit: { max: 1, perMs: 1000 } })).toThrow(MsgQueueError);
    expect(() => createQueue({ adapter: without, rateLimit: { max: 1, perMs: 1000 } })).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED' }),
    );
  });

  it('a queue limit shared by two instances: no window of perMs sees more than max sends; all of them go', async () => {
    const adapter = memoryAdapter();
    const rateLimit = { max: 3, perMs: 150 };
    const a = createQueue<number>({ adapter, rateLimit });
    const b = createQueue<number>({ adapter, rateLimit });
    await a.enqueueMany(Array.from({ length: 16 }, (_, i) => ({ payload: i })));
    const at: number[] = [];
    const send = async () => {
      at.push(Date.now()); // the memory adapter's clock
      await new Promise((r) => setTimeout(r, 2));
    };
    const [sa, sb] = await Promise.all([
      a.runOnce({ send, concurrency: 4, overlap: 'allow', timeBudgetMs: 60_000 }),
      b.runOnce({ send, concurrency: 4, overlap: 'allow', timeBudgetMs: 60_000 }),
    ]);
    expect(sa.sent + sb.sent).toBe(16);
    expect(at).toHaveLength(16);
    expect(mostWithin(at, rateLimit.perMs)).toBeLessThanOrEqual(rateLimit.max);
    // Claims took only what the limit let them send: every attempt was a send.
    expect(sa.claimed + sb.claimed).toBe(16);
    expect(sa.throttledForMs).toBeNull();
  });

  it('a tick without time to wait for a slot stops claiming: the rest stays PENDING, attempts untouched', async () => {
    const clock = new ManualClock();
    const adapter = memoryAdapter({ clock: clock.now });
    const q = createQueue<number>({ adapter, rateLimit: { max: 2, perMs: 60_000 } });
    await q.enqueueMany([1, 2, 3, 4, 5].map((payload) => ({ payload })));
    const sent: number[] = [];
    const first = await q.runOnce({ send: async (m) => void sent.push(m.payload), timeBudgetMs: 1000 });
    expect(first).toMatchObject({ claimed: 2, sent: 2, throttled: 0 });
    expect(first.throttledForMs).toBe(60_000);
    const report = await q.diagnose({ sampleSize: 0 });
    expect(report.counts).toMatchObject({ SENT: 2, PENDING: 3 });
    expect(report.atRateLimit).toEqual([expect.objectContaining({ key: null, max: 2, perMs: 60_000 })]);
    expect(report.findings.map((f) => f.code)).toContain('QUEUE_RATE_LIMITED');
    const waiting = await adapter.find({ queue: 'default', statuses: ['PENDING'], limit: 10 });
    expect(waiting.rows.map((r) => r.attempts)).toEqual([0, 0, 0]);

    clock.advance(59_999);
    expect((await q.runOnce({ send: async (m) => void sent.push(m.payload), timeBudgetMs: 1000 })).claimed).toBe(0);
    clock.advance(1);
    expect(await q.runOnce({ send: async (m) => void sent.push(m.payload), timeBudgetMs: 1000 })).toMatchObject({ claimed: 2, sent: 2 });
    expect(sent).toEqual([1, 2, 3, 4]);
    expect((await q.diagnose()).atRateLimit).toHaveLength(1);
  });

  it('a slot is counted from the end of its send: a slow send pushes the next one back', async () => {
    const clock = new ManualClock();
    const q = createQueue<number>({ adapter: memoryAdapter({ clock: clock.now }), rateLimit: { max: 1, perMs: 1000 } });
    await q.enqueueMany([1, 2].map((payload) => ({ payload })));
    const first = await q.runOnce({
      timeBudgetMs: 1000, // no time to wait for the next slot
      send: async () => {
        clock.advance(5000); // a send that took 5 s
      },
    });
    expect(first).toMatchObject({ sent: 1, throttledForMs: 1000 });
    clock.advance(999);
    expect((await q.runOnce({ send: async () => {}, timeBudgetMs: 1000 })).claimed).toBe(0);
    clock.advance(1);
    expect((await q.runOnce({ send: async () => {}, timeBudgetMs: 1000 })).sent).toBe(1);
  });

  it('a per-key limit holds each key to its rate while the other keys go at full speed', async () => {
    const adapter = memoryAdapter();
    const perMs = 200;
    const q = createQueue<{ from: string; n: number }>({
      adapter,
      maxAttempts: 1,
      rateLimit: { max: 1, perMs, key: (m) => (m.payload as { from: string }).from },
    });
    // One busy sender with 4 messages, and 12 senders with one each.
    await q.enqueueMany([
      ...[0, 1, 2, 3].map((n) => ({ payload: { from: 'hot', n } })),
      ...Array.from({ length: 12 }, (_, n) => ({ payload: { from: `s${n}`, n } })),
    ]);
    const at = new Map<string, number[]>();
    const send = async (m: { payload: { from: string } }) => {
      at.set(m.payload.from, [...(at.get(m.payload.from) ?? []), Date.now()]);
    };
    const first = await q.runOnce({ send, concurrency: 16, limit: 16 });
    // The first tick sent one of the busy sender's and every other sender's at once.
    expect(first).toMatchObject({ claimed: 16, sent: 13, throttled: 3, failed: 0 });
    expect([...at.keys()].filter((k) => k !== 'hot')).toHaveLength(12);
    const { work } = q;
    const stop = new AbortController();
    const worker = work({ send, signal: stop.signal, idleMs: 20, concurrency: 4 });
    while ((at.get('hot')?.length ?? 0) < 4) await new Promise((r) => setTimeout(r, 20));
    stop.abort();
    await worker;
    expect(mostWithin(at.get('hot')!, perMs)).toBe(1);
    const report = await q.diagnose({ sampleSize: 0 });
    expect(report.counts).toMatchObject({ SENT: 16, FAILED: 0 }); // maxAttempts 1: being throttled spent no attempt
  });

  it("key: 'group' limits each group key; messages without one are not limited by it", async () => {
    const clock = new ManualClock();
    const q = createQueue<string>({ adapter: memoryAdapter({ clock: clock.now }), rateLimit: { max: 1, perMs: 10_000, key: 'group' } });
    await q.enqueue('a1', { groupKey: 'a' });
    await q.enqueue('b1', { groupKey: 'b' });
    await q.enqueue('a2', { groupKey: 'a' });
    await q.enqueueMany(['x', 'y'].map((payload) => ({ payload })));
    const sent: string[] = [];
    const send = async (m: { payload: string }) => void sent.push(m.payload);
    await q.runOnce({ send, concurrency: 10, timeBudgetMs: 1000 });
    await q.runOnce({ send, concurrency: 10, timeBudgetMs: 1000 });
    expect(sent.sort()).toEqual(['a1', 'b1', 'x', 'y']);
    const report = await q.diagnose({ sampleSize: 0 });
    expect(report.atRateLimit.map((a) => a.key).sort()).toEqual(['a', 'b']);
    expect(report.findings.map((f) => f.code)).toContain('KEYS_RATE_LIMITED');
    clock.advance(10_000);
    await q.runOnce({ send, concurrency: 10, timeBudgetMs: 1000 });
    expect(sent).toContain('a2');
  });
});
