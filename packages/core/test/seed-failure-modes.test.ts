/**
 * One named test per failure mode of the post-mortem that started this library
 * (shared/seed, "Correctifs de la Queue de Messages"), on the reference adapter.
 * The same scenarios run over real databases in the conformance suite.
 */

import { createQueue, ManualClock, memoryAdapter } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

const MINUTE = 60_000;

function setup(options: Parameters<typeof createQueue>[0] extends infer O ? Omit<O & object, 'adapter'> : never = {}) {
  const clock = new ManualClock();
  const adapter = memoryAdapter({ clock: clock.now });
  return { clock, adapter, queue: createQueue<{ to: string; text: string }>({ adapter, ...options }) };
}

describe('seed failure modes', () => {
  it('#1 double locking: two code paths claiming at once never get the same message', async () => {
    const { queue } = setup();
    await queue.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ payload: { to: `u${i}`, text: 'hi' } })));
    // "process-incoming" and "queueService" both claim, interleaved
    const [a, b] = await Promise.all([queue.claimBatch({ limit: 30 }), queue.claimBatch({ limit: 30 })]);
    const ids = [...a.messages, ...b.messages].map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(50);
  });

  it('#2 no pre-send check: a cleanup that resets a slow row cannot make the slow worker send it again', async () => {
    const { queue, clock } = setup();
    await queue.enqueue({ to: 'alice', text: 'one' });
    const slow = (await queue.claimBatch()).messages[0]!;
    clock.advance(11 * MINUTE);
    await queue.recycleStuck();
    const other = (await queue.claimBatch()).messages[0]!;
    // The seed's check (status === 'PROCESSING') would pass here: the row IS processing, for someone else.
    expect((await queue.get(slow.id))!.status).toBe('PROCESSING');
    expect(await queue.guardBeforeSend(slow)).toMatchObject({ ok: false, reason: 'stale-claim' });
    expect((await queue.guardBeforeSend(other)).ok).toBe(true);
  });

  it('#3 aggressive cleanup with no attempt limit: rows end FAILED after maxAttempts, never cycle forever', async () => {
    const { queue, clock } = setup({ maxAttempts: 3 });
    const { id } = await queue.enqueue({ to: 'bob', text: 'crashes the worker' });
    for (let i = 0; i < 10; i++) {
      await queue.claimBatch();
      clock.advance(11 * MINUTE);
      await queue.recycleStuck();
    }
    expect(await queue.get(id)).toMatchObject({ status: 'FAILED', attempts: 3 });
  });

  it('#3b a slow-but-alive send is not recycled: the lease is 10 minutes by default and can be extended', async () => {
    const { queue, clock } = setup();
    const { id } = await queue.enqueue({ to: 'carol', text: 'slow' });
    const m = (await queue.claimBatch()).messages[0]!;
    clock.advance(5 * MINUTE); // the seed's 5-minute cleanup would have reset it here
    expect((await queue.recycleStuck()).total).toBe(0);
    await queue.extendLease(m);
    clock.advance(9 * MINUTE);
    expect((await queue.recycleStuck()).total).toBe(0);
    expect((await queue.get(id))!.claimToken).toBe(m.token);
  });

  it('#4 overlapping cron runs: a tick is skipped while another runs, in this process or on another instance', async () => {
    const { queue, adapter } = setup();
    await queue.enqueue({ to: 'dave', text: 'x' });
    let open!: () => void;
    const first = queue.runOnce({ send: () => new Promise<void>((r) => (open = r)) });
    await new Promise((r) => setTimeout(r, 20));
    expect((await queue.runOnce({ send: async () => {} })).skipped).toBe('overlap-in-process');
    open();
    expect((await first).sent).toBe(1);
    // Another server holds the tick lock through the storage (the seed only had an in-memory Set).
    expect(await adapter.acquireRunLock!({ name: 'msgqueue:tick:default', owner: 'other-server', ttlMs: MINUTE })).toBe(true);
    await queue.enqueue({ to: 'dave', text: 'y' });
    expect((await queue.runOnce({ send: async () => {} })).skipped).toBe('overlap-other-instance');
  });

  it('#5 batches too large for the time budget: the tick stops in time and releases what it did not start', async () => {
    const { queue } = setup();
    await queue.enqueueMany(Array.from({ length: 10 }, (_, i) => ({ payload: { to: `u${i}`, text: 'x' } })));
    const s = await queue.runOnce({ timeBudgetMs: 300, reserveMs: 100, send: () => new Promise((r) => setTimeout(r, 120)) });
    expect(s.sent + s.released).toBe(10);
    expect(s.released).toBeGreaterThan(0);
    expect(s.durationMs).toBeLessThan(1_000);
    const report = await queue.diagnose();
    expect(report.counts.PROCESSING + report.counts.SENDING).toBe(0);
  });

  it('#6 no visibility: diagnose explains stuck, failed and possibly-duplicated messages with numbers', async () => {
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

  it('#7 the assistant mixing conversations: one process never works the same message twice at once', async () => {
    const { queue, clock } = setup();
    await queue.enqueue({ to: 'erin', text: 'x' });
    let calls = 0;
    let open!: () => void;
    const first = queue.runOnce({
      overlap: 'allow',
      send: () => {
        calls++;
        clock.advance(11 * MINUTE); // this send overruns its lease…
        return new Promise<void>((r) => (open = r));
      },
    });
    await new Promise((r) => setTimeout(r, 20));
    // …and a second tick in the same process recycles and re-claims the same message.
    const second = await queue.runOnce({ overlap: 'allow', send: async () => void calls++ });
    expect(second.alreadyWorking).toBe(1);
    expect(calls).toBe(1);
    open();
    await first;
  });
});
