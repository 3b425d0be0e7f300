/**
 * Operator actions over many rows, on every client × database: one call changes every row it
 * planned, fenced as always, through set-based statements of thousands of rows each — never one
 * statement per row in one long transaction (Prisma's 5 s interactive-transaction timeout failed
 * such a call on MariaDB at 20,000 rows, and PostgreSQL managed 1,400 rows/s). Rates are measured by
 * `pnpm bench` (docs/performance.md), never asserted here.
 */
import { createQueue, type MessageStatus } from '@org/msgqueue';
import { type SqlClient, type SqlDialect, sqlAdapter } from '@org/msgqueue-sql';
import { quote } from '@org/msgqueue-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDefaultTables } from './support/harness.js';
import { type Connection, targets } from './support/targets.js';

const ROWS = 3_000;

/** The engine's client, counting its writes: every statement that is not a SELECT, and every transaction. */
function counting(client: SqlClient, writes: { n: number }): SqlClient {
  const count = (text: string) => {
    if (!/^\s*SELECT\b/i.test(text)) writes.n++;
  };
  return {
    query: (s) => {
      count(s.text);
      return client.query(s);
    },
    execute: (s) => {
      count(s.text);
      return client.execute(s);
    },
    transaction: (fn) => {
      writes.n++;
      return client.transaction((tx) => fn(counting(tx, writes)));
    },
  };
}

/** `rows` rows in `status`, last changed an hour ago, in multi-row INSERTs of 500. */
async function seed(c: Connection, dialect: SqlDialect, rows: number, status: MessageStatus): Promise<void> {
  const q = (n: string) => quote(dialect, n);
  const hourAgo =
    dialect === 'postgresql'
      ? `now() - interval '1 hour'`
      : dialect === 'mysql'
        ? 'UTC_TIMESTAMP(3) - INTERVAL 1 HOUR'
        : `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-1 hour')`;
  const claimed = status === 'PROCESSING' || status === 'SENDING';
  for (let from = 0; from < rows; from += 500) {
    const values = Array.from({ length: Math.min(500, rows - from) }, (_, k) => {
      const i = from + k;
      return `('m-${String(i).padStart(6, '0')}', 'default', '${status}', '{"n":${i}}', 1, ${hourAgo}, ${claimed ? `'token-${i}'` : 'NULL'}, ${claimed ? hourAgo : 'NULL'}, ${hourAgo}, ${hourAgo})`;
    });
    await c.exec(
      `INSERT INTO ${q('msgqueue_messages')} (${['id', 'queue', 'status', 'payload', 'attempts', 'available_at', 'claim_token', 'lease_until', 'created_at', 'updated_at'].map(q).join(', ')}) VALUES ${values.join(', ')}`,
    );
  }
}

for (const target of targets()) {
  describe(`operator actions over ${ROWS.toLocaleString('en')} rows: ${target.name}`, () => {
    const d = target.dialect;
    let c: Connection;
    beforeAll(async () => {
      c = await target.open(2);
      await freshDefaultTables(c, d);
    });
    afterAll(() => c.close());

    const count = async (status: string) =>
      Number((await c.rows(`SELECT COUNT(*) AS n FROM ${quote(d, 'msgqueue_messages')} WHERE ${quote(d, 'status')} = '${status}'`))[0]!.n);

    it('retry, releaseStuck and purge each change every planned row in one call, through set-based statements', async () => {
      const writes = { n: 0 };
      const queue = createQueue({ adapter: sqlAdapter(counting(c.engine, writes), { dialect: d }) });
      for (const [status, act, after] of [
        ['FAILED', () => queue.retryMany({ status: 'FAILED', limit: ROWS }), 'PENDING'],
        ['PROCESSING', () => queue.releaseStuck({ olderThanMs: 0, limit: ROWS }), 'PENDING'],
        ['SENT', () => queue.purge({ olderThanMs: 60_000, limit: ROWS }), null],
      ] as const) {
        await c.exec(`DELETE FROM ${quote(d, 'msgqueue_messages')}`);
        await seed(c, d, ROWS, status);
        writes.n = 0;
        const result = await act();
        expect(result, `${status}: ${JSON.stringify(result.refused.slice(0, 3))}`).toMatchObject({
          changed: ROWS,
          skipped: [],
          more: true,
        });
        expect(await count(status)).toBe(0);
        if (after) expect(await count(after)).toBe(ROWS);
        // Set-based: a statement (or a transaction and its statement) for a thousand rows at the least,
        // never a statement per row.
        expect(writes.n).toBeLessThanOrEqual(2 * Math.ceil(ROWS / 1000));
      }
    });

    it('a row that moved after the plan was read is skipped, in a chunk of thousands', async () => {
      await c.exec(`DELETE FROM ${quote(d, 'msgqueue_messages')}`);
      await seed(c, d, 3000, 'FAILED');
      const adapter = c.adapter();
      const { rows } = await adapter.find({ queue: 'default', statuses: ['FAILED'], limit: 3000 });
      const plan = rows.map(({ id, status, claimToken, attempts, updatedAt }) => ({ id, status, claimToken, attempts, updatedAt }));
      // Meanwhile the row went round: retried, claimed, failed again — FAILED as planned, one attempt more.
      const moved = plan[1234]!.id;
      const p = d === 'postgresql' ? '$1' : '?';
      await c.exec(`UPDATE ${quote(d, 'msgqueue_messages')} SET ${quote(d, 'attempts')} = 2 WHERE ${quote(d, 'id')} = ${p}`, [moved]);
      const done = await adapter.operate({
        queue: 'default',
        items: plan,
        to: 'PENDING',
        resetAttempts: true,
        possiblySent: false,
        note: null,
      });
      expect(done.filter(Boolean)).toHaveLength(2999);
      expect(done[1234]).toBe(false);
      expect(await count('FAILED')).toBe(1);
    });
  });
}
