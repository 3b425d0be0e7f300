import { describe, expect, it } from 'vitest';
import type { Fixture } from '../context.js';

/** Dedupe keys make enqueue idempotent. */
export function dedupeSuite(f: Fixture): void {
  describe('enqueue and dedupe keys', () => {
    it('a second enqueue with the same dedupe key writes nothing and returns the first id', async () => {
      const q = f.queue<string>();
      const first = await q.enqueue('a', { dedupeKey: 'order-42:confirmation' });
      const second = await q.enqueue('b', { dedupeKey: 'order-42:confirmation' });
      expect(first.created).toBe(true);
      expect(second).toEqual({ id: first.id, created: false });
      expect((await q.diagnose()).total).toBe(1);
      expect((await q.get(first.id))!.payload).toBe('a');
    });

    f.engine('the key keeps deduplicating after the message was sent', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({}, { dedupeKey: 'k' });
      await q.ack((await q.claimBatch()).messages[0]!);
      expect(await q.enqueue({}, { dedupeKey: 'k' })).toEqual({ id, created: false });
    });

    it('enqueueMany answers per item, in order, mixing new and duplicate', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({}, { dedupeKey: 'x' });
      const results = await q.enqueueMany([{ payload: 1 }, { payload: 2, dedupeKey: 'x' }, { payload: 3, dedupeKey: 'y' }]);
      expect(results.map((r) => r.created)).toEqual([true, false, true]);
      expect(results[1]!.id).toBe(id);
      expect((await q.diagnose()).total).toBe(3);
    });

    it('concurrent enqueues of one key store one message', async () => {
      const q = f.queue();
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => q.enqueue({ i }, { dedupeKey: 'race' })));
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await q.diagnose()).total).toBe(1);
    });

    it('round-trips payloads exactly: unicode, nesting, numbers, dates as ISO strings', async () => {
      const q = f.queue();
      const payload = {
        text: 'Bonjour 👋 — ça va ?',
        n: [1, -2.5, 1e21],
        nested: { deep: [true, null, { a: 'b' }] },
        at: new Date(Date.UTC(2026, 0, 2)),
      };
      const { id } = await q.enqueue(payload);
      expect((await q.get(id))!.payload).toEqual(JSON.parse(JSON.stringify(payload)));
      expect((await q.claimBatch()).messages[0]!.payload).toEqual(JSON.parse(JSON.stringify(payload)));
    });
  });
}
