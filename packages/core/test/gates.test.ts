/**
 * pause / resume / pauseFor at the queue's edge: arguments checked before anything is written, an
 * adapter without gates refused with UNSUPPORTED (saying what would work), the `gate` hook and log
 * after each change. What a gate does to claims is in the conformance suite (every adapter).
 */
import {
  createQueue,
  type DiagnoseReport,
  type Logger,
  ManualClock,
  MsgQueueError,
  memoryAdapter,
  type StorageAdapter,
  statusHandler,
} from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (error) {
    return MsgQueueError.isInstance(error) ? { code: error.code, field: error.field, message: error.message } : error;
  }
  return 'resolved';
};

describe('gates at the queue', () => {
  it('refuses bad arguments with INVALID_ARGUMENT or UNKNOWN_OPTION before writing anything', async () => {
    const adapter = memoryAdapter();
    const q = createQueue({ adapter });
    expect(await code(q.pause({ key: '' }))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'pause.options.key' });
    expect(await code(q.pause({ note: 'x'.repeat(501) }))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'pause.options.note' });
    expect(await code(q.pause({ kee: 'a' } as never))).toMatchObject({ code: 'UNKNOWN_OPTION' });
    expect(await code(q.resume({ note: 'why' } as never))).toMatchObject({ code: 'UNKNOWN_OPTION' });
    expect(await code(q.pauseFor(0))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'pauseFor.ms' });
    expect(await code(q.pauseFor(1.5))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'pauseFor.ms' });
    expect(await code(q.pauseFor(Number.NaN))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'pauseFor.ms' });
    expect(await code(q.pauseFor(1000, { key: 'a\u0000b' }))).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'pauseFor.options.key' });
    expect((await q.gates()).gates).toEqual([]);
  });

  it('an adapter without gates is refused with UNSUPPORTED, and lists none', async () => {
    const { setGate: _s, gates: _g, ...rest } = memoryAdapter();
    const adapter: StorageAdapter = { ...rest, name: 'plain', capabilities: { ...rest.capabilities, gates: false } };
    const q = createQueue({ adapter });
    const refused = await code(q.pause());
    expect(refused).toMatchObject({ code: 'UNSUPPORTED', message: expect.stringContaining('plain adapter keeps no gates') });
    expect(await code(q.pauseFor(1000))).toMatchObject({ code: 'UNSUPPORTED' });
    expect((await q.gates()).gates).toEqual([]);
  });

  it('each change reaches the gate hook and the log; a pause for a while runs out on the storage clock', async () => {
    const clock = new ManualClock();
    const events: unknown[] = [];
    const logs: unknown[] = [];
    const logger: Logger = { debug: () => {}, info: (o, m) => void logs.push([o, m]), warn: () => {}, error: () => {} };
    const q = createQueue({ adapter: memoryAdapter({ clock: clock.now }), logger, hooks: { gate: (e) => void events.push(e) } });
    await q.pause({ key: 'conv:1', note: 'spam report' });
    await q.pauseFor(5000);
    await q.resume({ key: 'conv:1' });
    expect(events).toEqual([
      { operation: 'pause', gate: expect.objectContaining({ key: 'conv:1', paused: true, note: 'spam report' }) },
      {
        operation: 'pauseFor',
        gate: expect.objectContaining({ key: null, pausedUntil: new Date(clock.now().getTime() + 5000), note: 'paused for 5000 ms' }),
      },
      { operation: 'resume', gate: expect.objectContaining({ key: 'conv:1', paused: false }) },
    ]);
    expect(logs.map((l) => (l as [unknown, string])[1])).toEqual([
      'msgqueue: pause (group conv:1)',
      'msgqueue: pauseFor (queue)',
      'msgqueue: resume (group conv:1)',
    ]);
    await q.enqueue({});
    expect((await q.claimBatch()).messages).toEqual([]);
    clock.advance(5000);
    expect((await q.gates()).gates).toEqual([]);
    expect((await q.claimBatch()).messages).toHaveLength(1);
  });

  it('the status route shows a paused queue: its gate and a warning, still 200 (a pause is on purpose)', async () => {
    const q = createQueue({ adapter: memoryAdapter() });
    await q.pause({ note: 'provider incident' });
    const route = statusHandler({ queue: q, allowUnauthenticated: true });
    const response = await route(new Request('http://app/api/status'));
    expect(response.status).toBe(200);
    const body = (await response.json()) as DiagnoseReport; // one queue: its report
    expect(body.gates).toEqual([expect.objectContaining({ key: null, paused: true, note: 'provider incident' })]);
    expect(body.findings).toEqual([expect.objectContaining({ code: 'QUEUE_PAUSED', severity: 'warning' })]);
  });
});
