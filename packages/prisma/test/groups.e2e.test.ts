/**
 * Ordered groups under real concurrency: separate processes drain 800 messages in 80
 * groups through Prisma, with crashes (recycles) and retries in the mix. From the delivery log: per
 * group, deliveries follow enqueue order and never overlap in time. (Separate connections in one
 * process: the conformance suite's concurrent group claimers.)
 */

import { createQueue } from '@org/msgqueue';
import { prismaAdapter } from '@org/msgqueue-prisma';
import { runTs } from '@org/msgqueue-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkGroups as checkGroupOrder } from '../chaos/checker.js';
import { applyShippedSchema, type Client, clearDefaultTables, testDatabases } from './support/databases.js';
import { type Delivery, GROUP_QUEUE_OPTIONS } from './support/group-worker.js';

// 800 messages per run: every worker contends for every group many times over.
const GROUPS = 80;
const PER_GROUP = 10;
const TOTAL = GROUPS * PER_GROUP;

/**
 * Every violation of the group guarantees in a delivery log (the chaos checker's rule, plus loss and
 * duplicates), over the acknowledged deliveries: those made inside a live claim, which the guarantees
 * are about. An unacknowledged one — its worker starved past the lease, the library refusing its
 * ack — is accounted for apart: it must have outlived its claim's lease, and its message must have
 * been delivered and acknowledged again.
 */
function checkGroups(deliveries: Delivery[]): {
  outOfOrder: string[];
  overlapping: string[];
  missing: number;
  duplicated: number;
  refusedWithinLease: string[];
} {
  const acked = deliveries.filter((d) => d.acked);
  const refusedWithinLease = deliveries
    .filter((d) => !d.acked && d.refusedAt! - d.claimedAt < GROUP_QUEUE_OPTIONS.leaseMs)
    .map((d) => `group ${d.g} #${d.n}: refused ${Math.round(d.refusedAt! - d.claimedAt)} ms after its claim`);
  const asProvider = acked.map((d) => ({
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
  return { ...checkGroupOrder(asProvider), missing: TOTAL - unique, duplicated: acked.length - unique, refusedWithinLease };
}

describe('the delivery-log checker', () => {
  const full = (g: number, shift = 0): Delivery[] =>
    Array.from({ length: PER_GROUP }, (_, n) => ({
      g,
      n,
      start: shift + n * 10,
      end: shift + n * 10 + 5,
      worker: 'w',
      acked: true,
      claimedAt: shift + n * 10 - 1,
    }));
  const clean = () => Array.from({ length: GROUPS }, (_, g) => full(g)).flat();
  const ok = { outOfOrder: [], overlapping: [], missing: 0, duplicated: 0, refusedWithinLease: [] };

  it('passes a clean log and flags reordering, overlap, loss and duplicates', () => {
    const clean = Array.from({ length: GROUPS }, (_, g) => full(g)).flat();
    expect(checkGroups(clean)).toEqual(ok);
    const swapped = clean.map((d) => (d.g === 3 && d.n === 1 ? { ...d, start: 25, end: 27 } : d));
    expect(checkGroups(swapped).outOfOrder).toEqual([`group 3: 0,2,1,3,4,5,6,7,8,9`]);
    const overlapping = clean.map((d) => (d.g === 4 && d.n === 2 ? { ...d, start: 14 } : d));
    expect(checkGroups(overlapping).overlapping).toEqual(['group 4: #1 and #2']);
    expect(checkGroups(clean.slice(1)).missing).toBe(1);
    expect(checkGroups([...clean, clean[0]!]).duplicated).toBe(1);
  });

  it('accounts for an ack refused after the lease ran out, and flags one refused inside it', () => {
    // A starved worker delivered #2 of group 5 after its claim lapsed; #2 went out again, acknowledged.
    const stale: Delivery = { g: 5, n: 2, start: 1_500, end: 1_501, worker: 'slow', acked: false, claimedAt: 0, refusedAt: 1_600 };
    expect(checkGroups([...clean(), stale])).toEqual(ok);
    const early = { ...stale, refusedAt: 400 };
    expect(checkGroups([...clean(), early]).refusedWithinLease).toEqual(['group 5 #2: refused 400 ms after its claim']);
  });
});

for (const db of testDatabases('groups')) {
  describe(`ordered groups on ${db.label}`, () => {
    let main: Client;
    beforeAll(async () => {
      main = await db.client();
      await applyShippedSchema(main, db.dialect);
    });
    afterAll(() => main.$disconnect());

    async function fill() {
      await clearDefaultTables(main, db.dialect);
      const queue = createQueue({ adapter: prismaAdapter(main, { dialect: db.dialect }) });
      // Interleaved: message n of every group, then n + 1, as conversations would produce them.
      for (let n = 0; n < PER_GROUP; n++) {
        await queue.enqueueMany(Array.from({ length: GROUPS }, (_, g) => ({ payload: { g, n }, groupKey: `conversation-${g}` })));
      }
    }

    async function expectAllSent() {
      const report = await createQueue({ adapter: prismaAdapter(main, { dialect: db.dialect }) }).diagnose();
      expect(report.counts).toMatchObject({ SENT: TOTAL, PENDING: 0, PROCESSING: 0, SENDING: 0, FAILED: 0 });
    }

    it(`3 processes, ${GROUPS} groups × ${PER_GROUP}: in order, never overlapping, with crashes and retries`, async () => {
      await fill();
      const logs = await Promise.all([1, 2, 3].map((seed) => runWorker(db.dialect, db.url, seed)));
      const result = checkGroups(logs.flat());
      expect(result).toEqual({ outOfOrder: [], overlapping: [], missing: 0, duplicated: 0, refusedWithinLease: [] });
      await expectAllSent();
    }, 180_000);
  });
}

async function runWorker(dialect: string, url: string, seed: number): Promise<Delivery[]> {
  return JSON.parse(
    (
      await runTs(new URL('./support/group-worker.ts', import.meta.url), [dialect, url, String(TOTAL), String(seed)], {
        cwd: new URL('..', import.meta.url).pathname,
      })
    ).trim(),
  ) as Delivery[];
}
