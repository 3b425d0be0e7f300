/**
 * Insert: a record whose id or dedupe key exists writes nothing and answers the existing id.
 * PostgreSQL and SQLite: `INSERT … ON CONFLICT DO NOTHING RETURNING id`, a hundred rows a statement.
 * MySQL/MariaDB: `INSERT IGNORE`, one row a statement (its count tells whether the row went in).
 * Then one SELECT finds the existing rows that made the others no-ops.
 */
import type { InsertOutcome, InsertRecord } from '@org/msgqueue';
import { unreachable } from '../dialects/dialect.js';
import type { Table } from '../table.js';
import { join, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

const CHUNK = 100;

/** The columns written for every record, in order. */
function columns(t: Table): Sql {
  return join(
    [
      t.col('id'),
      t.has('queue') ? t.col('queue') : null,
      t.col('status'),
      t.col('payload'),
      t.col('attempts'),
      t.has('priority') ? t.col('priority') : null,
      t.col('availableAt'),
      t.has('dedupeKey') ? t.col('dedupeKey') : null,
      t.has('groupKey') ? t.col('groupKey') : null,
      t.col('possiblySent'),
      t.col('createdAt'),
      t.col('updatedAt'),
    ].filter((c): c is Sql => c !== null),
  );
}

/** One record's values, in the order of {@link columns}. */
function values(t: Table, r: InsertRecord): Sql {
  const d = t.dialect;
  const available = r.availableAt
    ? d.fromEpochMs(t.schema.times.availableAt, r.availableAt.getTime())
    : t.nowPlus('availableAt', r.delayMs);
  return sql`(${join(
    [
      sql`${r.id}`,
      t.has('queue') ? sql`${r.queue}` : null,
      t.status('PENDING'),
      d.payloadIn(r.payload, t.schema.payload),
      sql`0`,
      t.has('priority') ? sql`${r.priority}` : null,
      available,
      t.has('dedupeKey') ? sql`${r.dedupeKey}` : null,
      t.has('groupKey') ? sql`${r.groupKey}` : null,
      d.bool(false),
      t.now('createdAt'),
      t.now('updatedAt'),
    ].filter((v): v is Sql => v !== null),
  )})`;
}

/**
 * `notify`: the PostgreSQL channel to notify of the new messages (the queue's name as payload), in
 * the insert's own statement — so inside the caller's transaction it is delivered at its commit,
 * and PostgreSQL sends one notification however many rows the transaction wrote.
 */
export async function insert(db: Db, t: Table, records: readonly InsertRecord[], notify: string | null = null): Promise<InsertOutcome[]> {
  const created = new Set<string>();
  const name = db.dialect.name;
  switch (name) {
    case 'postgresql':
    case 'sqlite':
      for (let i = 0; i < records.length; i += CHUNK) {
        const chunk = records.slice(i, i + CHUNK);
        const write = sql`INSERT INTO ${t.name} (${columns(t)}) VALUES ${join(chunk.map((r) => values(t, r)))}
            ON CONFLICT DO NOTHING RETURNING ${t.col('id')} AS ${t.alias('id')}`;
        const inserted = await db.rows(
          notify === null
            ? write
            : sql`WITH ins AS (${write}) SELECT ins.${t.alias('id')}, pg_notify(${notify}, ${chunk[0]!.queue}) AS ${t.alias('msgqueue_wake')} FROM ins`,
        );
        for (const row of inserted) created.add(String(row.id));
      }
      break;
    case 'mysql':
      // No RETURNING on INSERT: one row a statement, its affected-row count says whether it was new.
      for (const r of records) {
        if ((await db.count(sql`INSERT IGNORE INTO ${t.name} (${columns(t)}) VALUES ${values(t, r)}`)) === 1) created.add(r.id);
      }
      break;
    default:
      unreachable(name);
  }
  const missing = records.filter((r) => !created.has(r.id));
  if (missing.length === 0) return records.map((r) => ({ id: r.id, created: true }));
  const keyed = t.has('dedupeKey') ? missing.filter((r) => r.dedupeKey !== null) : [];
  // Dedupe keys are per queue: a record collides with its own queue's key (all records of a call share a queue).
  const byKey = keyed.length
    ? sql` OR (${t.inQueue(keyed[0]!.queue)} AND ${t.col('dedupeKey')} IN (${join(keyed.map((r) => sql`${r.dedupeKey}`))}))`
    : sql``;
  const existing = await db.rows(
    sql`SELECT ${t.col('id')} AS ${t.alias('id')}, ${t.has('dedupeKey') ? t.col('dedupeKey') : sql`NULL`} AS ${t.alias('dedupeKey')}
        FROM ${t.name} WHERE ${t.col('id')} IN (${join(missing.map((r) => sql`${r.id}`))})${byKey}`,
  );
  return records.map((r) => {
    if (created.has(r.id)) return { id: r.id, created: true as const };
    const match = r.dedupeKey === null ? undefined : existing.find((e) => e.dedupeKey !== null && String(e.dedupeKey) === r.dedupeKey);
    return { id: match ? String(match.id) : r.id, created: false as const };
  });
}
