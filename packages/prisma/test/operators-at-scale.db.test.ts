/**
 * The operator actions as a user of Prisma ran them when they failed: 20,000 FAILED rows retried,
 * 20,000 SENT rows purged, in one call each, with Prisma's default 5 s interactive-transaction
 * timeout. On MariaDB both failed with STORAGE_ERROR ("expired transaction": one UPDATE per row in
 * one transaction) and changed nothing. Rates are `pnpm bench`'s, never asserted here.
 */
import { createQueue } from '@org/msgqueue';
import { prismaAdapter } from '@org/msgqueue-prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyShippedSchema, type Client, testDatabases } from './support/databases.js';

/** MariaDB at the size that failed; the other databases at less (the engine's own tests take them through more). */
const rowsFor = (dialect: string) => (dialect === 'mysql' ? 20_000 : 5_000);

/** `rows` rows in `status`, last changed an hour ago, in one statement. */
function seedSql(dialect: string, status: string): string {
  const ROWS = rowsFor(dialect);
  const cols = 'id, queue, status, payload, attempts, available_at, last_error, created_at, updated_at';
  if (dialect === 'postgresql') {
    return `INSERT INTO msgqueue_messages (${cols}) SELECT 'm-' || i, 'default', '${status}', '{"n":1}', 3, now() - interval '1 hour', 'dialect down', now() - interval '1 hour', now() - interval '1 hour' FROM generate_series(1, ${ROWS}) AS i`;
  }
  if (dialect === 'mysql') {
    // Numbers from five digit tables: no recursion limit (MySQL's is 1,000), no MariaDB-only sequence engine.
    const digits =
      '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
    const i = 'a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d';
    return `INSERT INTO msgqueue_messages (${cols}) SELECT CONCAT('m-', ${i}), 'default', '${status}', '{"n":1}', 3, UTC_TIMESTAMP(3) - INTERVAL 1 HOUR, 'dialect down', UTC_TIMESTAMP(3) - INTERVAL 1 HOUR, UTC_TIMESTAMP(3) - INTERVAL 1 HOUR FROM ${digits} a, ${digits} b, ${digits} c, ${digits} e, ${digits} f WHERE ${i} < ${ROWS}`;
  }
  const hourAgo = `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-1 hour')`;
  return `INSERT INTO msgqueue_messages (${cols}) WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${ROWS}) SELECT 'm-' || i, 'default', '${status}', '{"n":1}', 3, ${hourAgo}, 'dialect down', ${hourAgo}, ${hourAgo} FROM s`;
}

for (const db of testDatabases('operators-at-scale')) {
  const ROWS = rowsFor(db.dialect);
  describe(`operator actions over ${ROWS.toLocaleString('en')} rows through Prisma: ${db.label}`, () => {
    let client: Client;
    beforeAll(async () => {
      client = await db.client({ pool: 2 });
      await applyShippedSchema(client, db.dialect);
    });
    afterAll(() => client.$disconnect());
    const count = async (status: string) =>
      Number(
        (await client.$queryRawUnsafe<{ n: unknown }[]>(`SELECT COUNT(*) AS n FROM msgqueue_messages WHERE status = '${status}'`))[0]!.n,
      );

    it('retryMany of every FAILED row, then purge of every SENT row: all changed, nothing refused', async () => {
      const queue = createQueue({ adapter: prismaAdapter(client, { dialect: db.dialect }) });
      await client.$executeRawUnsafe(seedSql(db.dialect, 'FAILED'));
      const retried = await queue.retryMany({ status: 'FAILED', limit: ROWS });
      expect(retried).toMatchObject({ changed: ROWS, skipped: [], refused: [] });
      expect([await count('FAILED'), await count('PENDING')]).toEqual([0, ROWS]);

      await client.$executeRawUnsafe('DELETE FROM msgqueue_messages');
      await client.$executeRawUnsafe(seedSql(db.dialect, 'SENT'));
      const purged = await queue.purge({ olderThanMs: 60_000, limit: ROWS });
      expect(purged).toMatchObject({ changed: ROWS, skipped: [] });
      expect(await count('SENT')).toBe(0);
    });
  });
}
