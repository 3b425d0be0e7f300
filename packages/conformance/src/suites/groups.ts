import { createQueue, type StorageAdapter } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/** Ordered groups: at most one message of a group in flight, claimed in enqueue order. */
export function groupsSuite(f: Fixture): void {
  describe('ordered groups', () => {
    const ids = (c: { messages: { payload: unknown }[] }) => c.messages.map((m) => m.payload).sort();

    it('a claim takes at most one message per group, the earliest, beside ungrouped ones', async () => {
      const q = f.queue<string>();
      await q.enqueueMany([
        { payload: 'a1', groupKey: 'A' },
        { payload: 'a2', groupKey: 'A' },
        { payload: 'a3', groupKey: 'A' },
        { payload: 'b1', groupKey: 'B' },
        { payload: 'u1' },
        { payload: 'u2' },
      ]);
      const first = await q.claimBatch({ limit: 10 });
      expect(ids(first)).toEqual(['a1', 'b1', 'u1', 'u2']);
      expect(first.messages.find((m) => m.payload === 'a1')!.groupKey).toBe('A');
      expect((await q.claimBatch({ limit: 10 })).messages).toHaveLength(0); // a2 waits for a1
      const a1 = first.messages.find((m) => m.payload === 'a1')!;
      await q.guardBeforeSend(a1);
      await q.ack(a1);
      expect(ids(await q.claimBatch({ limit: 10 }))).toEqual(['a2']);
    });

    f.engine('a later message never overtakes an earlier one waiting for its retry', async () => {
      const q = f.queue<string>({ backoff: { baseMs: MINUTE, jitter: false } });
      await q.enqueue('a1', { groupKey: 'A' });
      await q.enqueue('a2', { groupKey: 'A' });
      const a1 = (await q.claimBatch()).messages[0]!;
      expect(a1.payload).toBe('a1');
      await q.fail(a1, 'provider 503');
      expect((await q.claimBatch()).messages).toHaveLength(0); // a1 backs off, a2 still waits
      await f.ctx.advance(MINUTE + 1_000);
      const again = await q.claimBatch();
      expect(ids(again)).toEqual(['a1']);
      await q.ack(again.messages[0]!);
      expect(ids(await q.claimBatch())).toEqual(['a2']);
    });

    f.engine('a recycled head is claimed again before the rest of its group', async () => {
      const q = f.queue<string>();
      await q.enqueue('a1', { groupKey: 'A' });
      await q.enqueue('a2', { groupKey: 'A' });
      await q.claimBatch(); // a1, then the worker dies
      await f.ctx.advance(11 * MINUTE);
      expect((await q.claimBatch()).messages).toHaveLength(0); // expired but not recycled: still in flight
      await q.recycleStuck();
      expect(ids(await q.claimBatch())).toEqual(['a1']);
    });

    f.engine("groupFailurePolicy 'skip' (default): the group moves on past a message that failed for good", async () => {
      const q = f.queue<string>();
      await q.enqueue('a1', { groupKey: 'A' });
      await q.enqueue('a2', { groupKey: 'A' });
      await q.fail((await q.claimBatch()).messages[0]!, 'invalid recipient', { retryable: false });
      expect(ids(await q.claimBatch())).toEqual(['a2']);
      expect((await q.diagnose()).blockedGroups).toBe(0);
    });

    f.engine("groupFailurePolicy 'block': the group waits, diagnose says so, and retry lets it go on", async () => {
      const q = f.queue<string>({ groupFailurePolicy: 'block' });
      const { id } = await q.enqueue('a1', { groupKey: 'A' });
      await q.enqueue('a2', { groupKey: 'A' });
      await q.enqueue('b1', { groupKey: 'B' });
      const first = await q.claimBatch();
      await q.fail(first.messages.find((m) => m.payload === 'a1')!, 'invalid template', { retryable: false });
      await q.ack(first.messages.find((m) => m.payload === 'b1')!);
      expect((await q.claimBatch()).messages).toHaveLength(0);
      const report = await q.diagnose();
      expect(report.blockedGroups).toBe(1);
      expect(report.findings.map((x) => x.code)).toContain('GROUP_BLOCKED');
      expect(await q.retry(id)).toMatchObject({ ok: true, status: 'PENDING' });
      const retried = (await q.claimBatch()).messages[0]!;
      expect(retried).toMatchObject({ payload: 'a1', attempts: 1 });
      await q.ack(retried);
      expect(ids(await q.claimBatch())).toEqual(['a2']);
    });

    f.engine('one batch fills from many groups, so a busy group does not starve the others', async () => {
      const q = f.queue<string>();
      await q.enqueueMany(Array.from({ length: 30 }, (_, i) => ({ payload: `busy-${i}`, groupKey: 'busy' })));
      await q.enqueueMany(Array.from({ length: 9 }, (_, i) => ({ payload: `g${i}-1`, groupKey: `g${i}` })));
      const claim = await q.claimBatch({ limit: 10 });
      expect(claim.messages).toHaveLength(10);
      expect(new Set(claim.messages.map((m) => m.groupKey)).size).toBe(10);
    });

    f.engine('concurrent claimers deliver each group in order, never two of a group at once', async () => {
      const q = f.queue<{ g: number; n: number }>();
      const GROUPS = 20;
      const PER = 6;
      for (let n = 0; n < PER; n++) {
        await q.enqueueMany(Array.from({ length: GROUPS }, (_, g) => ({ payload: { g, n }, groupKey: `conv-${g}` })));
      }
      const adapters: StorageAdapter[] = [];
      for (let i = 0; i < 6; i++) adapters.push(f.ctx.connect ? await f.ctx.connect() : f.ctx.adapter);
      const inFlight = new Set<number>();
      const delivered = new Map<number, number[]>();
      const overlaps: string[] = [];
      await Promise.all(
        adapters.map(async (adapter) => {
          const worker = createQueue<{ g: number; n: number }>({ adapter });
          for (let empty = 0; empty < 3; ) {
            const claim = await worker.claimBatch({ limit: 4 });
            if (claim.messages.length === 0) {
              empty++;
              await new Promise((r) => setTimeout(r, 5));
              continue;
            }
            empty = 0;
            for (const m of claim.messages) {
              if (inFlight.has(m.payload.g)) overlaps.push(`group ${m.payload.g}`);
              inFlight.add(m.payload.g);
              expect((await worker.guardBeforeSend(m)).ok).toBe(true);
              await new Promise((r) => setTimeout(r, 1));
              delivered.set(m.payload.g, [...(delivered.get(m.payload.g) ?? []), m.payload.n]);
              inFlight.delete(m.payload.g);
              expect((await worker.ack(m)).ok).toBe(true);
            }
          }
        }),
      );
      expect(overlaps).toEqual([]);
      expect(delivered.size).toBe(GROUPS);
      for (const sequence of delivered.values()) expect(sequence).toEqual(Array.from({ length: PER }, (_, n) => n));
    });

    f.engine('retry: HELD or FAILED back to PENDING with attempts reset; anything else is refused', async () => {
      const q = f.queue({ deliveryMode: 'at-most-once' });
      const { id } = await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      expect(await q.retry(id)).toMatchObject({ ok: false, reason: 'wrong-status', status: 'PROCESSING' });
      await q.guardBeforeSend(m);
      await f.ctx.advance(11 * MINUTE);
      await q.recycleStuck();
      expect(await q.retry(id)).toMatchObject({ ok: true, status: 'PENDING' });
      expect(await q.get(id)).toMatchObject({ status: 'PENDING', attempts: 0, claimToken: null });
      expect(await q.retry('no-such-id')).toMatchObject({ ok: false, reason: 'not-found' });
    });
  });
}
