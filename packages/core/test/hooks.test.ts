/**
 * Every transition reaches the hooks — enqueued, claimed, guarded, sent (with the send's duration),
 * failed (retry or for good), held, recycled, tick — and final failures and holds are logged at warn
 * with their error. The memory adapter; every adapter runs the same core code.
 */
import { createQueue, type Logger, ManualClock, memoryAdapter, PermanentSendError, type QueueHooks } from '@org/msgqueue';
import { latch } from '@org/msgqueue-test-support';
import { describe, expect, it } from 'vitest';

function recorder() {
  const events: [string, unknown][] = [];
  const hooks: Required<QueueHooks> = {
    enqueued: (e) => void events.push(['enqueued', e]),
    claimed: (e) => void events.push(['claimed', e]),
    guarded: (e) => void events.push(['guarded', e]),
    sent: (e) => void events.push(['sent', e]),
    refused: (e) => void events.push(['refused', e]),
    acked: (e) => void events.push(['acked', e]),
    failed: (e) => void events.push(['failed', e]),
    held: (e) => void events.push(['held', e]),
    recycled: (e) => void events.push(['recycled', e]),
    tick: (e) => void events.push(['tick', e]),
    diagnosed: (e) => void events.push(['diagnosed', e]),
    gate: (e) => void events.push(['gate', e]),
  };
  const logs: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
  const at = (level: string) => (obj: object, msg?: string) => void logs.push({ level, obj: obj as Record<string, unknown>, msg });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  const of = (name: string) => events.filter(([n]) => n === name).map(([, e]) => e);
  return { hooks, logger, events, logs, of };
}

describe('hooks and logs', () => {
  it('a tick reports each transition, in order, and logs a final failure at warn with its error', async () => {
    const r = recorder();
    const q = createQueue<string>({ adapter: memoryAdapter({ clock: new ManualClock().now }), hooks: r.hooks, logger: r.logger });
    await q.enqueueMany([
      { payload: 'ok', dedupeKey: 'a' },
      { payload: 'refused', dedupeKey: 'b' },
      { payload: 'busy', dedupeKey: 'c' },
    ]);
    await q.enqueue('ok again', { dedupeKey: 'a' }); // a duplicate
    const [enqueued, again] = r.of('enqueued') as { ids: string[]; duplicates: number }[];
    expect(enqueued).toMatchObject({ duplicates: 0 });
    expect(enqueued!.ids).toHaveLength(3);
    expect(again).toEqual({ ids: [], duplicates: 1 });

    const summary = await q.runOnce({
      concurrency: 3,
      send: async (m) => {
        if (m.payload === 'refused') throw new PermanentSendError('invalid recipient');
        if (m.payload === 'busy') throw Object.assign(new Error('rate limited'), { retryable: true });
      },
    });
    expect(r.of('claimed')).toEqual([{ token: expect.any(String), ids: enqueued!.ids, durationMs: expect.any(Number) }]);
    expect((r.of('guarded') as { ids: string[] }[]).flatMap((e) => e.ids).sort()).toEqual([...enqueued!.ids].sort());
    expect(r.of('sent')).toEqual([{ id: enqueued!.ids[0], attempts: 1, durationMs: expect.any(Number) }]);
    expect(r.of('failed')).toEqual(
      expect.arrayContaining([
        { id: enqueued!.ids[1], attempts: 1, outcome: 'failed', error: expect.stringContaining('invalid recipient') },
        { id: enqueued!.ids[2], attempts: 1, outcome: 'retry', error: expect.stringContaining('rate limited') },
      ]),
    );
    expect(r.of('tick')).toEqual([{ ...summary, queue: 'default' }]);
    expect(r.events.at(-1)![0]).toBe('tick');
    const final = r.logs.find((l) => l.msg?.includes('FAILED for good'));
    expect(final).toMatchObject({ level: 'warn', obj: { id: enqueued!.ids[1], error: expect.stringContaining('invalid recipient') } });
    expect(r.logs.find((l) => l.msg?.includes('will retry'))?.level).toBe('info');
  });

  it('at-most-once: a send of unknown outcome, and an expired SENDING row, are held — hook and warn', async () => {
    const r = recorder();
    const clock = new ManualClock();
    const q = createQueue({ adapter: memoryAdapter({ clock: clock.now }), deliveryMode: 'at-most-once', hooks: r.hooks, logger: r.logger });
    const { id: timedOut } = await q.enqueue({ n: 1 });
    await q.runOnce({
      send: async () => {
        throw new Error('socket hang up');
      },
    });
    const { id: crashed } = await q.enqueue({ n: 2 });
    const m = (await q.claimBatch()).messages[0]!;
    await q.guardBeforeSend(m);
    clock.advance(11 * 60_000);
    await q.recycleStuck();
    expect(r.of('held')).toEqual([
      { id: timedOut, reason: expect.stringContaining('socket hang up') },
      { id: crashed, reason: expect.stringContaining('held for review') },
    ]);
    expect(r.logs.find((l) => l.obj.id === timedOut && l.level === 'warn')?.obj.error).toMatch(/socket hang up/);
    expect(r.of('recycled')).toEqual([expect.objectContaining({ held: [crashed] })]);
  });

  it('a skipped tick still reports its summary', async () => {
    const r = recorder();
    const q = createQueue({ adapter: memoryAdapter(), hooks: r.hooks });
    await q.enqueue({});
    const sending = latch();
    const gate = latch();
    const first = q.runOnce({
      send: () => {
        sending.open();
        return gate.promise;
      },
    });
    await sending.promise; // the first tick is mid-send
    expect(await q.runOnce({ send: async () => {} })).toMatchObject({ skipped: 'overlap-in-process' });
    gate.open();
    await first;
    expect((r.of('tick') as { skipped: unknown }[]).map((t) => t.skipped)).toEqual(['overlap-in-process', null]);
  });
});
