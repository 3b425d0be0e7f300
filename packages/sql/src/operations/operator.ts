/**
 * What an operator's actions (requeue, mark sent, release, purge — and their dry runs) run:
 * `find` reads the rows a filter selects; `operate` applies one planned transition to them, each row
 * fenced on the status, claim token and attempts the plan saw, so `--execute` changes exactly what
 * the dry run listed and nothing that moved since.
 *
 * - PostgreSQL and SQLite: one statement per chunk of rows, `… WHERE (row₁) OR (row₂) … RETURNING id`
 *   tells which rows matched.
 * - MySQL/MariaDB: no RETURNING on MySQL, so one statement per row inside a transaction; the matched
 *   count (FOUND_ROWS) of each says whether its row matched.
 */
import type { FindRequest, FindResult, OperateItem, OperateRequest } from '@org/msgqueue';
import { toNumber, toRecord } from '../rows.js';
import type { Table } from '../table.js';
import { join, raw, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

/** Rows of a chunk in one PostgreSQL/SQLite statement: well under every parameter limit (4 each). */
const CHUNK = 200;

export async function find(db: Db, t: Table, r: FindRequest): Promise<FindResult> {
  const where: Sql[] = [t.inQueue(r.queue), t.statusIn(r.statuses)];
  if (r.ids) where.push(r.ids.length > 0 ? sql`${t.col('id')} IN (${join(r.ids.map((id) => sql`${id}`))})` : raw('1 = 0'));
  if (r.olderThanMs !== undefined) where.push(sql`${t.col('updatedAt')} <= ${t.nowPlus('updatedAt', -r.olderThanMs)}`);
  if (r.errorContains !== undefined) where.push(t.has('lastError') ? contains(db, t.col('lastError'), r.errorContains) : raw('1 = 0'));
  const rows = await db.rows(
    sql`SELECT ${t.select} FROM ${t.name} WHERE ${join(where, ' AND ')} ORDER BY ${t.col('updatedAt')}, ${t.col('id')} LIMIT ${r.limit}`,
  );
  const [now] = await db.rows(sql`SELECT ${t.nowMs()}`, true);
  return { now: new Date(toNumber(now?.msgqueue_now)), rows: rows.map((row) => toRecord(row, t.mapping)) };
}

/** `text` occurs in `column`, compared as written (case-sensitive) on every database. */
function contains(db: Db, column: Sql, text: string): Sql {
  if (db.dialect.name === 'postgresql') return sql`strpos(${column}, ${text}) > 0`;
  // MySQL compares by the column's collation (usually case-insensitive): compare the bytes instead.
  if (db.dialect.name === 'mysql') return sql`INSTR(CAST(${column} AS BINARY), CAST(${text} AS BINARY)) > 0`;
  return sql`instr(${column}, ${text}) > 0`;
}

export async function operate(db: Db, t: Table, r: OperateRequest): Promise<boolean[]> {
  if (r.items.length === 0) return [];
  const head = r.to === 'DELETE' ? sql`DELETE FROM ${t.name}` : sql`UPDATE ${t.name} SET ${join(assignments(t, r))}`;
  const scope = t.inQueue(r.queue);
  if (db.dialect.name === 'mysql') {
    return db.transaction(async (tx) => {
      const changed: boolean[] = [];
      for (const item of r.items) changed.push((await tx.count(sql`${head} WHERE ${scope} AND ${matches(t, item)}`)) > 0);
      return changed;
    });
  }
  const done = new Set<string>();
  for (let i = 0; i < r.items.length; i += CHUNK) {
    const chunk = r.items.slice(i, i + CHUNK);
    const rows = await db.rows(
      sql`${head} WHERE ${scope} AND (${join(
        chunk.map((item) => sql`(${matches(t, item)})`),
        ' OR ',
      )}) RETURNING ${t.col('id')} AS ${t.alias('id')}`,
    );
    for (const row of rows) done.add(String(row.id));
  }
  return r.items.map((item) => done.has(item.id));
}

/** The row is still as the plan saw it. */
function matches(t: Table, item: OperateItem): Sql {
  const token = item.claimToken === null ? sql`${t.col('claimToken')} IS NULL` : sql`${t.col('claimToken')} = ${item.claimToken}`;
  return sql`${t.col('id')} = ${item.id} AND ${t.col('status')} = ${t.status(item.status)} AND ${token} AND ${t.col('attempts')} = ${item.attempts}
    AND ${t.epochMs('updatedAt')} = ${item.updatedAt.getTime()}`;
}

function assignments(t: Table, r: OperateRequest): Sql[] {
  if (r.to === 'DELETE') return [];
  return [
    sql`${t.col('status')} = ${t.status(r.to)}`,
    sql`${t.col('claimToken')} = NULL`,
    sql`${t.col('leaseUntil')} = NULL`,
    sql`${t.col('updatedAt')} = ${t.now('updatedAt')}`,
    r.to === 'PENDING' ? sql`${t.col('availableAt')} = ${t.now('availableAt')}` : null,
    r.resetAttempts ? sql`${t.col('attempts')} = 0` : null,
    r.possiblySent ? sql`${t.col('possiblySent')} = ${t.dialect.bool(true)}` : null,
    r.note !== null && t.has('lastError') ? sql`${t.col('lastError')} = ${r.note}` : null,
  ].filter((a): a is Sql => a !== null);
}
