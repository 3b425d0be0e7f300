/**
 * The ways hand-rolled cron queues lose, duplicate or strand messages, one test each, on the
 * reference adapter. The same scenarios run over real databases in the conformance suite.
 */

import { createQueue, ManualClock, ManualTimers, memoryAdapter } from '@org/msgqueue';
import { latch } from '@org/msgqueue-test-support';
import { describe, expect, it } from 'vitest';

const MINUTE = 60_000;

function setup(options: Parameters<typeof createQueue>[0] extends infer O ? Omit<O & object, 'adapter'> : never = {}) {
  const clock = new ManualClock();
  const adapter = memoryAdapter({ clock: clock.now });
  return { clock, adapter, queue: createQueue<{ to: string; text: string }>({ adapter, ...options }) };
}

describe('failure modes of hand-rolled cron queues', () => {
  it('two code paths claiming at once never get the same message', async () => {
    const { queue } = setup();
    await queue.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ payload: { to: `u${i}`, text: 'hi' } })));
    // "process-incoming" and "queueService" both claim, interleaved
    const [a, b] = await Promise.all([queue.claimBatch({ limit: 30 }), queue.claimBatch({ limit: 30 })]);
    const ids = [...a.messages, ...b.messages].map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(50);
  });

  it('a slow worker whose row was recycled and re-claimed is refused before it sends, although the row is PROCESSING', async () => {
    const { queue, clock } = setup();
    await queue.enqueue({ to: 'alice', text: 'one' });
    const slow = (await queue.claimBatch()).messages[0]!;
    clock.advance(11 * MINUTE);
    await queue.recycleStuck();
    const other = (await queue.claimBatch()).messages[0]!;
    // A check of status === 'PROCESSING' alone would pass here: the row IS processing, for someone else.
    expect((await queue.get(slow.id))!.status).toBe('PROCESSING');
    expect(await queue.guardBeforeSend(slow)).toMatchObject({ ok: false, reason: 'stale-claim' });
    expect((await queue.guardBeforeSend(other)).ok).toBe(true);
  });

  it('a message that crashes its worker every time ends FAILED after maxAttempts instead of cycling forever', async () => {
    const { queue, clock } = setup({ maxAttempts: 3 });
    const { id } = await queue.enqueue({ to: 'bob', text: 'crashes the worker' });
    for (let i = 0; i < 10; i++) {
      await queue.claimBatch();
      clock.advance(11 * MINUTE);
      await queue.recycleStuck();
    }
    expect(await queue.get(id)).toMatchObject({ status: 'FAILED', attempts: 3 });
  });

  it('a slow but alive send is not recycled: the lease outlasts a 5-minute cleanup and can be extended', async () => {
    const { queue, clock } = setup();
    const { id } = await queue.enqueue({ to: 'carol', text: 'slow' });
    const m = (await queue.claimBatch()).messages[0]!;
    clock.advance(5 * MINUTE); // a 5-minute cleanup job would have reset it here
    expect((await queue.recycleStuck()).total).toBe(0);
    await queue.extendLease(m);
    clock.advance(9 * MINUTE);
    expect((await queue.recycleStuck()).total).toBe(0);
    expect((await queue.get(id))!.claimToken).toBe(m.token);
  });

  it('an overlapping cron tick is skipped, whether the running one is in this process or on another instance', async () => {
    const { queue, adapter } = setup();
    await queue.enqueue({ to: 'dave', text: 'x' });
    const gate = latch();
    const sending = latch();
    const first = queue.runOnce({
      send: () => {
        sending.open();
        return gate.promise;
      },
    });
    await sending.promise;
    expect((await queue.runOnce({ send: async () => {} })).skipped).toBe('overlap-in-process');
    gate.open();
    expect((await first).sent).toBe(1);
    // Another server holds the tick's run lock through the storage (an in-memory Set cannot see it).
    expect(await adapter.acquireRunLock!({ name: 'msgqueue:tick:memory:default', owner: 'other-server', ttlMs: MINUTE })).toBe(true);
    await queue.enqueue({ to: 'dave', text: 'y' });
    expect((await queue.runOnce({ send: async () => {} })).skipped).toBe('overlap-other-instance');
  });

  it('a batch too large for the time budget: the tick stops starting sends and releases the rest', async () => {
    // Each send takes 120 ms of a 300 ms budget on the tick's own clock: two fit before the reserve.
    const timers = new ManualTimers();
    const { queue } = setup({ timers });
    await queue.enqueueMany(Array.from({ length: 10 }, (_, i) => ({ payload: { to: `u${i}`, text: 'x' } })));
    const s = await queue.runOnce({ timeBudgetMs: 300, reserveMs: 100, concurrency: 1, send: async () => timers.advance(120) });
    expect([s.sent, s.released]).toEqual([2, 8]);
    const report = await queue.diagnose();
    expect(report.counts.PROCESSING + report.counts.SENDING).toBe(0);
  });

  it('diagnose explains stuck, failed and possibly-duplicated messages with numbers', async () => {
    const { queue, clock } = setup({ maxAttempts: 1, alerts: { failedThreshold: 0 } });
    await queue.enqueueMany([{ payload: { to: 'a', text: '1' } }, { payload: { to: 'b', text: '2' } }]);
    const [a, b] = (await queue.claimBatch()).messages;
    await queue.fail(a!, 'provider said no');
    await queue.guardBeforeSend(b!);
    clock.advance(40 * MINUTE);
    const r = await queue.diagnose();
    expect(r.healthy).toBe(false);
    expect(r.findings.map((f) => f.code).sort()).toEqual(['EXPIRED_IN_FLIGHT', 'FAILED_ABOVE_THRESHOLD', 'IN_FLIGHT_TOO_LONG']);
    expect(r.samples.failed[0]).toMatchObject({ id: a!.id, lastError: 'provider said no' });
  });

  it('one process never works the same message twice at once, even after its own lease ran out', async () => {
    const { queue, clock } = setup();
    await queue.enqueue({ to: 'erin', text: 'x' });
    let calls = 0;
    const gate = latch();
    const sending = latch();
    const first = queue.runOnce({
      overlap: 'allow',
      send: () => {
        calls++;
        clock.advance(11 * MINUTE); // this send overruns its lease…
        sending.open();
        return gate.promise;
      },
    });
    await sending.promise;
    // …and a second tick in the same process recycles and re-claims the same message.
    const second = await queue.runOnce({ overlap: 'allow', send: async () => void calls++ });
    expect(second.alreadyWorking).toBe(1);
    expect(calls).toBe(1);
    gate.open();
    await first;
  });
});
