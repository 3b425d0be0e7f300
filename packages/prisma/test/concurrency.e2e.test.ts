/**
 * Claim exclusivity across separate processes, each claiming, guarding and acknowledging through
 * Prisma, over 1,200 rows on each database. (Separate connections in one process: the
 * conformance suite's concurrent claimers, which Prisma runs over connections of its own.)
 */

import { createQueue } from '@org/msgqueue';
import { prismaAdapter } from '@org/msgqueue-prisma';
import { runTs } from '@org/msgqueue-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyShippedSchema, type Client, clearDefaultTables, testDatabases } from './support/databases.js';

const ROWS = 1200;

for (const db of testDatabases('concurrency')) {
  describe(`concurrent claimers on ${db.label}`, () => {
    let main: Client;
    beforeAll(async () => {
      main = await db.client();
      await applyShippedSchema(main, db.dialect);
    });
    afterAll(() => main.$disconnect());

    async function fill(): Promise<Set<string>> {
      await clearDefaultTables(main, db.dialect);
      const queue = createQueue({ adapter: prismaAdapter(main, { dialect: db.dialect }) });
      const ids = new Set<string>();
      for (let i = 0; i < ROWS; i += 500) {
        const res = await queue.enqueueMany(Array.from({ length: Math.min(500, ROWS - i) }, (_, j) => ({ payload: { n: i + j } })));
        for (const r of res) ids.add(r.id);
      }
      return ids;
    }

    async function finalCounts() {
      const report = await createQueue({ adapter: prismaAdapter(main, { dialect: db.dialect }) }).diagnose();
      return report.counts;
    }

    it(`4 processes over ${ROWS} rows: every row claimed exactly once`, async () => {
      const all = await fill();
      const lines = await Promise.all([3, 7, 10, 16].map((limit) => runWorker(db.dialect, db.url, limit)));
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

async function runWorker(dialect: string, url: string, limit: number): Promise<Record<string, unknown>[]> {
  const out = await runTs(new URL('./support/claim-worker.ts', import.meta.url), [dialect, url, String(limit)], {
    cwd: new URL('..', import.meta.url).pathname,
  });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
