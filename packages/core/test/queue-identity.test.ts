/**
 * A queue is its storage and its name: ticks of queues over two stores never block each other,
 * whatever their names; ticks of one queue do.
 */
import { createQueue, memoryAdapter } from '@org/msgqueue';
import { latch } from '@org/msgqueue-test-support';
import { describe, expect, it } from 'vitest';

/** A tick whose send stays open until `open()`; `sending` settles once it is inside the send. */
function heldOpenTick(queue: ReturnType<typeof createQueue>) {
  const gate = latch();
  const sending = latch();
  const done = queue.runOnce({
    send: () => {
      sending.open();
      return gate.promise;
    },
  });
  return { sending: sending.promise, open: gate.open, done };
}

describe('queue identity', () => {
  it('two queues with the default name over two adapters tick side by side', async () => {
    const a = createQueue({ adapter: memoryAdapter() });
    const b = createQueue({ adapter: memoryAdapter() });
    await a.enqueue({ n: 1 });
    await b.enqueue({ n: 2 });
    const tick = heldOpenTick(a);
    await tick.sending;
    expect(await b.runOnce({ send: async () => {} })).toMatchObject({ skipped: null, sent: 1 });
    tick.open();
    expect(await tick.done).toMatchObject({ skipped: null, sent: 1 });
  });

  it('two queue objects over one adapter and one name are one queue: the second tick is skipped', async () => {
    const adapter = memoryAdapter();
    const a = createQueue({ adapter });
    const b = createQueue({ adapter });
    await a.enqueue({});
    const tick = heldOpenTick(a);
    await tick.sending;
    expect((await b.runOnce({ send: async () => {} })).skipped).toBe('overlap-in-process');
    tick.open();
    await tick.done;
  });

  it('the working set is per queue: the same id in two stores is not "already working"', async () => {
    const a = createQueue({ adapter: memoryAdapter() });
    const b = createQueue({ adapter: memoryAdapter() });
    await a.enqueue({}, { id: 'same-id' });
    await b.enqueue({}, { id: 'same-id' });
    const tick = heldOpenTick(a);
    await tick.sending;
    expect(await b.runOnce({ overlap: 'allow', send: async () => {} })).toMatchObject({ alreadyWorking: 0, sent: 1 });
    tick.open();
    await tick.done;
  });
});
