/**
 * The engine's claim is the guard when the tick starts every send at once (`guard`), on every
 * dialect; on PostgreSQL the last batch's acks ride with the next claim. A tick that drains a queue
 * this way writes SENDING only under its own token, and every message ends SENT.
 */
import { createQueue } from '@org/msgqueue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDefaultTables } from './support/harness.js';
import { type Connection, targets } from './support/targets.js';

const oneTargetPerDialect = targets().filter((t, i, all) => all.findIndex((o) => o.dialect === t.dialect) === i);

for (const target of oneTargetPerDialect) {
  describe(`claim as guard on ${target.name}`, () => {
    let c: Connection;
    beforeAll(async () => {
      c = await target.open(2);
      await freshDefaultTables(c, target.dialect);
    });
    afterAll(() => c.close());

    it('claim with guard stamps every message SENDING under the token', async () => {
      const adapter = c.adapter();
      const queue = createQueue({ adapter });
      await queue.enqueueMany([1, 2, 3].map((n) => ({ payload: { n } })));
      const token = 'GGGGGGGGGGGGGGGGGGGGGG';
      const records = await adapter.claim({ queue: 'default', limit: 3, token, leaseMs: 60_000, groupPolicy: 'skip', guard: true });
      expect(records.map((r) => [r.status, r.claimToken])).toEqual(Array(3).fill(['SENDING', token]));
      for (const r of records) expect((await queue.ack({ id: r.id, token })).ok).toBe(true);
    });

    it('a tick whose window holds its batch guards with the claim: every message sent once, acks riding with the next claim', async () => {
      const adapter = c.adapter();
      const queue = createQueue({ adapter, name: 'rides' });
      await queue.enqueueMany(Array.from({ length: 45 }, (_, n) => ({ payload: { n } })));
      const guards: string[][] = [];
      const claims: string[][] = [];
      const hooked = createQueue({
        adapter,
        name: 'rides',
        hooks: { guarded: ({ ids }) => void guards.push(ids), claimed: ({ ids }) => void claims.push(ids) },
      });
      const sent: number[] = [];
      const summary = await hooked.runOnce({
        limit: 10,
        concurrency: 10,
        send: async (m) => void sent.push((m.payload as { n: number }).n),
      });
      expect(summary).toMatchObject({ claimed: 45, sent: 45, batches: 5, staleAcks: 0, storageErrors: 0 });
      expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: 45 }, (_, n) => n));
      // Every batch was guarded by its claim: one guarded call per claim, with the same ids.
      expect(guards).toEqual(claims);
      expect((await queue.diagnose()).counts).toMatchObject({ SENT: 45, PENDING: 0, PROCESSING: 0, SENDING: 0 });
    });
  });
}
