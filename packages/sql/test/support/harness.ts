/** The conformance harness over a target's default table: fresh tables, moving time, raw access. */
import type { ConformanceHarness } from '@org/msgqueue-conformance';
import { type SqlDialect, schemaSql, splitStatements } from '@org/msgqueue-sql';
import { backdate, nowSql, quote } from '@org/msgqueue-test-support';
import type { Connection, Target } from './targets.js';

/** Drop the default tables and create them from the shipped SQL (servers outlive runs). */
export async function freshDefaultTables(c: Connection, dialect: SqlDialect): Promise<void> {
  for (const t of ['msgqueue_messages', 'msgqueue_locks', 'msgqueue_gates']) await c.exec(`DROP TABLE IF EXISTS ${quote(dialect, t)}`);
  for (const statement of splitStatements(schemaSql(dialect))) await c.exec(statement);
}

export function harness(target: Target): ConformanceHarness {
  const d = target.dialect;
  const q = (n: string) => quote(d, n);
  let main: Connection | undefined;
  return {
    name: target.name,
    async beforeAll() {
      main = await target.open();
      await freshDefaultTables(main, d);
    },
    async afterAll() {
      await main?.close();
    },
    async setup() {
      const c = main!;
      for (const t of ['msgqueue_messages', 'msgqueue_locks', 'msgqueue_gates']) await c.exec(`DELETE FROM ${q(t)}`);
      const extra: Connection[] = [];
      const p = d === 'postgresql' ? '$1' : '?';
      return {
        adapter: c.adapter(),
        transaction: (fn) => c.transaction(fn),
        ...(c.client === undefined ? {} : { client: c.client }),
        async advance(ms) {
          const cols = ['available_at', 'lease_until', 'created_at', 'updated_at'].map((col) => backdate(d, col, ms));
          await c.exec(`UPDATE ${q('msgqueue_messages')} SET ${cols.join(', ')}`);
          await c.exec(`UPDATE ${q('msgqueue_locks')} SET ${backdate(d, 'expires_at', ms)}`);
          await c.exec(`UPDATE ${q('msgqueue_gates')} SET ${backdate(d, 'paused_until', ms)}, ${backdate(d, 'updated_at', ms)}`);
        },
        async snapshot() {
          const rows = await c.rows(`SELECT * FROM ${q('msgqueue_messages')} ORDER BY ${q('id')}`);
          return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
        },
        async strand(id, status) {
          await c.exec(
            `UPDATE ${q('msgqueue_messages')} SET ${q('status')} = '${status}', ${q('claim_token')} = NULL, ${q('lease_until')} = NULL, ${q('updated_at')} = ${nowSql(d)} WHERE ${q('id')} = ${p}`,
            [id],
          );
        },
        async connect() {
          const other = await target.open(1);
          extra.push(other);
          return other.adapter();
        },
        async teardown() {
          await Promise.all(extra.map((x) => x.close()));
        },
      };
    },
  };
}
