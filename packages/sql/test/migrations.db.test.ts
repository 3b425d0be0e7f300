/**
 * The shipped migrations, applied to tables made by an earlier schemaSql() (test/fixtures) holding
 * rows: nothing is lost, and the table then works as the current schema does.
 */
import { readFileSync } from 'node:fs';
import { createQueue } from '@org/msgqueue';
import { namedQueuesMigrationSql, splitStatements } from '@org/msgqueue-sql';
import { quote } from '@org/msgqueue-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Connection, targets } from './support/targets.js';

/** One client per database is enough: the migration is plain SQL. */
const oneTargetPerDialect = targets().filter((t, i, all) => all.findIndex((o) => o.dialect === t.dialect) === i);

for (const target of oneTargetPerDialect) {
  describe(`migrations on ${target.name}`, () => {
    const d = target.dialect;
    let c: Connection;
    beforeAll(async () => {
      c = await target.open();
    });
    afterAll(() => c.close());

    it('named queues: existing rows stay in the queue named default; dedupe keys become per queue', async () => {
      for (const t of ['msgqueue_messages', 'msgqueue_locks', 'msgqueue_gates']) await c.exec(`DROP TABLE IF EXISTS ${quote(d, t)}`);
      const before = readFileSync(new URL(`./fixtures/schema-before-named-queues.${d}.sql`, import.meta.url), 'utf8');
      for (const s of splitStatements(before)) await c.exec(s);
      // The engine runs over the old table as one queue (it has no queue column).
      const old = createQueue({ adapter: c.adapter() });
      await old.enqueue({ n: 1 }, { dedupeKey: 'welcome:1' });
      await old.enqueue({ n: 2 });
      const [inFlight] = (await old.claimBatch({ limit: 1 })).messages; // one in flight across the migration

      for (const s of splitStatements(namedQueuesMigrationSql(d))) await c.exec(s);

      const byDefault = createQueue({ adapter: c.adapter() });
      const sms = createQueue({ adapter: c.adapter(), name: 'sms' });
      expect((await byDefault.diagnose()).counts).toMatchObject({ PENDING: 1, PROCESSING: 1 });
      expect((await byDefault.get(inFlight!.id))?.status).toBe('PROCESSING');
      expect(await byDefault.ack(inFlight!)).toMatchObject({ ok: true, status: 'SENT' });
      expect((await sms.diagnose()).total).toBe(0);
      expect(await byDefault.enqueue({}, { dedupeKey: 'welcome:1' })).toMatchObject({ created: false });
      expect(await sms.enqueue({}, { dedupeKey: 'welcome:1' })).toMatchObject({ created: true });
      expect((await sms.claimBatch()).messages).toHaveLength(1);
      expect((await byDefault.diagnose()).counts).toMatchObject({ PENDING: 1, PROCESSING: 0, SENT: 1 });
    });
  });
}
