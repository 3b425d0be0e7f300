/**
 * queue.work: ticks back to back while messages are due, asleep when none is — woken at once by an
 * enqueue in this process — and a stop that lets sends under way finish and gives the rest back.
 * A tick that cannot reach the storage does not end the worker. The memory adapter, real timers:
 * nothing here asserts a duration (an idle of an hour means only a wake-up can deliver in time).
 */
import { createQueue, MsgQueueError, memoryAdapter, type StorageAdapter } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

const HOUR = 3_600_000;

/** Resolves once `check` holds, looking every few ms (the test's own timeout bounds it). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
}

describe('queue.work', () => {
  it('drains what is due, sleeps, is woken by an enqueue in this process, and stops on abort', async () => {
    const q = createQueue<number>({ adapter: memoryAdapter() });
    await q.enqueueMany([1, 2, 3].map((payload) => ({ payload })));
    const sent: number[] = [];
    const stop = new AbortController();
    const done = q.work({ signal: stop.signal, idleMs: HOUR, concurrency: 2, send: async (m) => void sent.push(m.payload) });
    await until(() => sent.length === 3);
    await q.enqueue(4); // asleep for an hour unless this wakes it
    await until(() => sent.length === 4);
    stop.abort();
    const summary = await done;
    expect(sent.sort()).toEqual([1, 2, 3, 4]);
    expect(summary).toMatchObject({ claimed: 4, sent: 4, failed: 0, released: 0, storageErrors: 0 });
    expect(summary.ticks).toBeGreaterThanOrEqual(2);
    expect((await q.diagnose()).counts).toMatchObject({ SENT: 4, PENDING: 0, PROCESSING: 0, SENDING: 0 });
  });

  it('on abort, a send under way finishes and is acknowledged; what was claimed but not started goes back', async () => {
    const q = createQueue<number>({ adapter: memoryAdapter() });
    await q.enqueueMany([1, 2, 3].map((payload) => ({ payload })));
    const stop = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let started = 0;
    let aborted = false;
    const done = q.work({
      signal: stop.signal,
      idleMs: HOUR,
      limit: 3,
      concurrency: 1,
      send: async (_m, { signal }) => {
        started++;
        await gate;
        aborted ||= signal.aborted;
      },
    });
    await until(() => started === 1);
    stop.abort(); // SIGTERM while the first send is under way
    release();
    const summary = await done;
    expect(started).toBe(1);
    expect(aborted).toBe(false); // the send's own signal was left alone
    expect(summary).toMatchObject({ ticks: 1, claimed: 3, sent: 1, released: 2 });
    const report = await q.diagnose();
    expect(report.counts).toMatchObject({ SENT: 1, PENDING: 2, PROCESSING: 0, SENDING: 0 });
  });

  it('a tick that cannot reach the storage is logged and tried again; the worker goes on', async () => {
    const inner = memoryAdapter();
    let down = 2;
    const adapter: StorageAdapter = {
      ...inner,
      claim: async (r) => {
        if (down-- > 0) throw new MsgQueueError('STORAGE_ERROR', 'connection refused');
        return inner.claim(r);
      },
      ackAndClaim: undefined,
    };
    const errors: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: (_o: object, m?: string) => void errors.push(m ?? '') };
    const q = createQueue<number>({ adapter, logger });
    await q.enqueue(1);
    const stop = new AbortController();
    let sent = 0;
    const done = q.work({ signal: stop.signal, idleMs: 10, send: async () => void sent++ });
    await until(() => sent === 1);
    stop.abort();
    expect(await done).toMatchObject({ sent: 1, storageErrors: 2 });
    expect(errors.filter((m) => m.includes('worker tick failed'))).toHaveLength(2);
  });

  it('refuses bad options before claiming anything', async () => {
    const q = createQueue({ adapter: memoryAdapter() });
    await q.enqueue({});
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => `${(e as MsgQueueError).code} ${(e as MsgQueueError).field}`,
      );
    expect(await code(q.work({ send: async () => {}, overlap: 'skip' } as never))).toBe('UNKNOWN_OPTION work.options.overlap');
    expect(await code(q.work({ send: async () => {}, idleMs: 0 }))).toBe('INVALID_ARGUMENT work.options.idleMs');
    expect(await code(q.work({ send: async () => {}, signal: {} as never }))).toBe('INVALID_ARGUMENT work.options.signal');
    expect(await code(q.work({} as never))).toBe('INVALID_ARGUMENT work.options.send');
    expect(await code(q.work({ send: async () => {}, limit: 0 }))).toBe('INVALID_ARGUMENT runOnce.options.limit');
    expect((await q.diagnose()).counts.PENDING).toBe(1);
  });
});
