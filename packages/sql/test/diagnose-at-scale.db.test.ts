/**
 * diagnose reads through indexes: the figures stay exact where an alert depends on them, SENT is
 * the planner's estimate on a large PostgreSQL table (and says so), and duplicate dedupe keys are
 * looked for only where no unique index rules them out — and still found there.
 */
import { createQueue } from '@org/msgqueue';
import { ESTIMATE_SENT_ABOVE } from '@org/msgqueue-sql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDefaultTables } from './support/harness.js';
import { type Connection, targets } from './support/targets.js';

const oneTargetPerDialect = targets().filter((t, i, all) => all.findIndex((o) => o.dialect === t.dialect) === i);

/** The shipped unique index on (queue, dedupe_key), by dialect. */
const DROP_DEDUPE_INDEX = {
  postgresql: 'DROP INDEX msgqueue_messages_dedupe_idx',
  mysql: 'ALTER TABLE msgqueue_messages DROP INDEX msgqueue_messages_dedupe_key',
  sqlite: 'DROP INDEX msgqueue_messages_dedupe_idx',
} as const;

for (const target of oneTargetPerDialect) {
  describe(`diagnose through indexes on ${target.name}`, () => {
    let c: Connection;
    beforeAll(async () => {
      c = await target.open(2);
    });
    afterAll(() => c.close());

    it('with the unique dedupe index: no duplicate can exist, and every count is exact', async () => {
      await freshDefaultTables(c, target.dialect);
      const queue = createQueue({ adapter: c.adapter() });
      await queue.enqueueMany([1, 2, 3].map((n) => ({ payload: { n }, dedupeKey: `k${n}` })));
      const report = await queue.diagnose();
      expect(report).toMatchObject({ duplicateDedupeKeys: 0, estimated: [], counts: { PENDING: 3 } });
    });

    it('without it (an adopted table): two rows with one key are counted as a duplicate', async () => {
      await freshDefaultTables(c, target.dialect);
      await c.exec(DROP_DEDUPE_INDEX[target.dialect]);
      const queue = createQueue({ adapter: c.adapter() });
      const [first] = await queue.enqueueMany([{ payload: { n: 1 }, dedupeKey: 'same' }]);
      // The engine itself never writes a duplicate (it checks first); the other code did.
      await c.exec(
        `INSERT INTO msgqueue_messages (id, queue, status, payload, available_at, created_at, updated_at, dedupe_key)
         SELECT 'other-code-1', queue, status, payload, available_at, created_at, updated_at, dedupe_key FROM msgqueue_messages WHERE id = '${first!.id}'`,
      );
      expect((await queue.diagnose()).duplicateDedupeKeys).toBe(1);
    });

    if (target.dialect === 'postgresql') {
      it(`past ${ESTIMATE_SENT_ABOVE.toLocaleString('en')} rows: SENT is the planner's estimate, named as one; the rest exact`, async () => {
        await freshDefaultTables(c, target.dialect);
        const rows = ESTIMATE_SENT_ABOVE + 50_000;
        await c.exec(
          `INSERT INTO msgqueue_messages (id, queue, status, payload, available_at, created_at, updated_at)
           SELECT 'h' || i, 'default', CASE WHEN i % 1000 = 0 THEN 'FAILED' ELSE 'SENT' END, '{}', now(), now(), now()
           FROM generate_series(1, ${rows}) AS i`,
        );
        await c.exec('ANALYZE msgqueue_messages');
        const queue = createQueue({ adapter: c.adapter() });
        await queue.enqueueMany([1, 2].map((n) => ({ payload: { n } })));
        const report = await queue.diagnose();
        expect(report.estimated).toEqual(['SENT']);
        expect(report.counts).toMatchObject({ PENDING: 2, FAILED: rows / 1000, PROCESSING: 0 });
        const sent = rows - rows / 1000;
        expect(Math.abs(report.counts.SENT - sent) / sent).toBeLessThan(0.1);
      }, 180_000); // a quarter of a million rows written on a machine that may be busy
    }
  });
}
