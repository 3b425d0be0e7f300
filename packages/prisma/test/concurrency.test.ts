/**
 * Claim exclusivity with real concurrency: separate connections in one process, and separate
 * processes, over a few thousand rows on each database.
 */

import { createQueue } from '@org/msgqueue';
import { prismaAdapter } from '@org/msgqueue-prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyShippedSchema, type Client, clearDefaultTables, testDatabases } from './support/databases.js';
import { runTs } from './support/processes.js';

const ROWS = 2000;

for (const db of testDatabases('concurrency')) {
  describe(`concurrent claimers on ${db.label}`, () => {
    let main: Client;
    beforeAll(async () => {
      main = await db.client();
      await applyShippedSchema(main, db.provider);
    });
    afterAll(() => main.$disconnect());

    async function fill(): Promise<Set<string>> {
      await clearDefaultTables(main, db.provider);
      const queue = createQueue({ adapter: prismaAdapter(main, { provider: db.provider }) });
      const ids = new Set<string>();
      for (let i = 0; i < ROWS; i += 500) {
        const res = await queue.enqueueMany(Array.from({ length: 500 }, (_, j) => ({ payload: { n: i + j } })));
        for (const r of res) ids.add(r.id);
      }
      return ids;
    }

    async function finalCounts() {
      const report = await createQueue({ adapter: prismaAdapter(main, { provider: db.provider }) }).diagnose();
      return report.counts;
    }

    it(`8 claimers on separate connections over ${ROWS} rows: every row claimed exactly once, no claim over its limit`, async () => {
      const all = await fill();
      const owners = new Map<string, number>();
      const dup: string[] = [];
      let over = 0;
      const clients = await Promise.all(Array.from({ length: 8 }, () => db.client({ pool: 1 })));
      try {
        await Promise.all(
          clients.map(async (c, w) => {
            const q = createQueue({ adapter: prismaAdapter(c, { provider: db.provider }) });
            const limit = [1, 5, 10, 25][w % 4]!;
            for (let empty = 0; empty < 2; ) {
              const claim = await q.claimBatch({ limit });
              if (claim.messages.length === 0) {
                empty++;
                continue;
              }
              empty = 0;
              if (claim.messages.length > limit) over++;
              for (const m of claim.messages) {
                if (owners.has(m.id)) dup.push(m.id);
                owners.set(m.id, w);
                expect((await q.guardBeforeSend(m)).ok).toBe(true);
                expect((await q.ack(m)).ok).toBe(true);
              }
            }
          }),
        );
      } finally {
        await Promise.all(clients.map((c) => c.$disconnect()));
      }
      expect(dup).toEqual([]);
      expect(over).toBe(0);
      expect(owners.size).toBe(all.size);
      expect(new Set(owners.values()).size).toBeGreaterThan(1);
      expect(await finalCounts()).toMatchObject({ SENT: ROWS, PENDING: 0, PROCESSING: 0, SENDING: 0 });
    }, 120_000);

    it(`4 processes over ${ROWS} rows: every row claimed exactly once`, async () => {
      const all = await fill();
      const lines = await Promise.all([3, 7, 10, 16].map((limit) => runWorker(db.provider, db.url, limit)));
      const seen = new Map<string, number>();
      const dup: string[] = [];
      const refused: unknown[] = [];
      for (const out of lines) {
        for (const line of out) {
          if ('refused' in line) refused.push(line);
          for (const id of (line.ids as string[] | undefined) ?? []) {
            if (seen.has(id)) dup.push(id);
            seen.set(id, line.pid as number);
          }
          expect(((line.ids as string[] | undefined) ?? []).length).toBeLessThanOrEqual((line.limit as number | undefined) ?? Infinity);
        }
      }
      expect(dup).toEqual([]);
      expect(refused).toEqual([]);
      expect(seen.size).toBe(all.size);
      expect(new Set(seen.values()).size).toBeGreaterThan(1);
      expect(await finalCounts()).toMatchObject({ SENT: ROWS, PENDING: 0, PROCESSING: 0 });
    }, 180_000);
  });
}

async function runWorker(provider: string, url: string, limit: number): Promise<Record<string, unknown>[]> {
  const out = await runTs('test/support/claim-worker.ts', [provider, url, String(limit)]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
