/**
 * Ordered groups under real concurrency: separate connections and separate processes drain
 * thousands of messages in hundreds of groups, with crashes (recycles) and retries in the mix.
 * From the delivery log: per group, deliveries follow enqueue order and never overlap in time.
 */

import { createQueue } from '@org/msgqueue';
import { prismaAdapter } from '@org/msgqueue-prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGroups as checkGroupOrder } from '../chaos/checker.js';
import { applyShippedSchema, type Client, clearDefaultTables, testDatabases } from './support/databases.js';
import { type Delivery, drainGroups, GROUP_QUEUE_OPTIONS } from './support/group-worker.js';
import { runTs } from './support/processes.js';

// 1,200 messages per run: enough for every worker to contend for every group many times over.
const GROUPS = 120;
const PER_GROUP = 10;
const TOTAL = GROUPS * PER_GROUP;

/** Every violation of the group guarantees in a delivery log (the chaos checker's rule, plus loss and duplicates). */
function checkGroups(deliveries: Delivery[]): { outOfOrder: string[]; overlapping: string[]; missing: number; duplicated: number } {
  const asProvider = deliveries.map((d) => ({
    id: `${d.g}:${d.n}`,
    token: '',
    key: '',
    g: d.g,
    n: d.n,
    worker: d.worker,
    receivedAt: d.start,
    acceptedAt: d.end,
    fault: null,
  }));
  const unique = new Set(asProvider.map((d) => d.id)).size;
  return { ...checkGroupOrder(asProvider), missing: TOTAL - unique, duplicated: deliveries.length - unique };
}

describe('the delivery-log checker', () => {
  const full = (g: number, shift = 0) =>
    Array.from({ length: PER_GROUP }, (_, n) => ({ g, n, start: shift + n * 10, end: shift + n * 10 + 5, worker: 'w' }));
  it('passes a clean log and flags reordering, overlap, loss and duplicates', () => {
    const clean = Array.from({ length: GROUPS }, (_, g) => full(g)).flat();
    expect(checkGroups(clean)).toEqual({ outOfOrder: [], overlapping: [], missing: 0, duplicated: 0 });
    const swapped = clean.map((d) => (d.g === 3 && d.n === 1 ? { ...d, start: 25, end: 27 } : d));
    expect(checkGroups(swapped).outOfOrder).toEqual([`group 3: 0,2,1,3,4,5,6,7,8,9`]);
    const overlapping = clean.map((d) => (d.g === 4 && d.n === 2 ? { ...d, start: 14 } : d));
    expect(checkGroups(overlapping).overlapping).toEqual(['group 4: #1 and #2']);
    expect(checkGroups(clean.slice(1)).missing).toBe(1);
    expect(checkGroups([...clean, clean[0]!]).duplicated).toBe(1);
  });
});

for (const db of testDatabases('groups')) {
  describe(`ordered groups on ${db.label}`, () => {
    let main: Client;
    beforeAll(async () => {
      main = await db.client();
      await applyShippedSchema(main, db.provider);
    });
    afterAll(() => main.$disconnect());

    async function fill() {
      await clearDefaultTables(main, db.provider);
      const queue = createQueue({ adapter: prismaAdapter(main, { provider: db.provider }) });
      // Interleaved: message n of every group, then n + 1, as conversations would produce them.
      for (let n = 0; n < PER_GROUP; n++) {
        await queue.enqueueMany(Array.from({ length: GROUPS }, (_, g) => ({ payload: { g, n }, groupKey: `conversation-${g}` })));
      }
    }

    async function expectAllSent() {
      const report = await createQueue({ adapter: prismaAdapter(main, { provider: db.provider }) }).diagnose();
      expect(report.counts).toMatchObject({ SENT: TOTAL, PENDING: 0, PROCESSING: 0, SENDING: 0, FAILED: 0 });
    }

    it(`6 connections, ${GROUPS} groups × ${PER_GROUP}: in order, never overlapping, with crashes and retries`, async () => {
      await fill();
      const clients = await Promise.all(Array.from({ length: 6 }, () => db.client({ pool: 1 })));
      try {
        const logs = await Promise.all(
          clients.map((c, i) => {
            const queue = createQueue<{ g: number; n: number }>({
              adapter: prismaAdapter(c, { provider: db.provider }),
              ...GROUP_QUEUE_OPTIONS,
            });
            return drainGroups(queue, TOTAL, `conn-${i}`, 1000 + i);
          }),
        );
        const result = checkGroups(logs.flat());
        expect(result).toEqual({ outOfOrder: [], overlapping: [], missing: 0, duplicated: 0 });
        expect(new Set(logs.flat().map((d) => d.worker)).size).toBeGreaterThan(1);
      } finally {
        await Promise.all(clients.map((c) => c.$disconnect()));
      }
      await expectAllSent();
    }, 180_000);

    it(`3 processes, ${GROUPS} groups × ${PER_GROUP}: in order, never overlapping, with crashes and retries`, async () => {
      await fill();
      const logs = await Promise.all([1, 2, 3].map((seed) => runWorker(db.provider, db.url, seed)));
      const result = checkGroups(logs.flat());
      expect(result).toEqual({ outOfOrder: [], overlapping: [], missing: 0, duplicated: 0 });
      await expectAllSent();
    }, 180_000);
  });
}

async function runWorker(provider: string, url: string, seed: number): Promise<Delivery[]> {
  return JSON.parse((await runTs('test/support/group-worker.ts', [provider, url, String(TOTAL), String(seed)])).trim()) as Delivery[];
}
