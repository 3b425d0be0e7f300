/**
 * What an operator's actions (retry, mark sent, release, purge, retention — and their dry runs)
 * run: `find` reads the rows a filter selects; `operate` applies one planned transition to them,
 * each row fenced on the status, claim token, attempts and last change the plan saw, so
 * `--execute` changes exactly what the dry run listed and nothing that moved since.
 *
 * Set-based, in chunks of a few thousand rows, each its own short statement (or transaction), so
 * 100,000 rows never hold one transaction or lock for long:
 * - PostgreSQL: `UPDATE … FROM unnest($ids, $statuses, $tokens, …)` (or `DELETE … USING`), the fence
 *   joined row by row, `RETURNING id` telling which rows matched; one statement text whatever the
 *   chunk's size, so it prepares once.
 * - SQLite: `UPDATE … WHERE id IN (…json_each…) AND (id, status, token, attempts, updated) IN
 *   (…json_each…) RETURNING id`: the plan travels as one JSON parameter.
 * - MySQL/MariaDB: no RETURNING. A short transaction per chunk locks the planned rows (`SELECT … FOR
 *   UPDATE` by primary key), keeps those still as planned, and changes them by id.
 */

import type { FindRequest, FindResult, OperateItem, OperateRequest } from '@org/msgqueue';
import { MsgQueueError } from '@org/msgqueue';
import type { SqlDialect } from '../client.js';
import { toNumber, toRow } from '../rows.js';
import type { Table } from '../table.js';
import { join, raw, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

/** Rows per statement (MySQL: per transaction, its IN list a parameter each). */
const CHUNK: Record<SqlDialect, number> = { postgresql: 5000, sqlite: 5000, mysql: 2000 };

export async function find(db: Db, t: Table, r: FindRequest): Promise<FindResult> {
  const where: Sql[] = [t.inQueue(r.queue), t.statusIn(r.statuses)];
  if (r.ids) where.push(r.ids.length > 0 ? idIn(db, t, r.ids) : raw('1 = 0'));
  if (r.olderThanMs !== undefined) where.push(sql`${t.col('updatedAt')} <= ${t.nowPlus('updatedAt', -r.olderThanMs)}`);
  if (r.errorContains !== undefined) where.push(t.has('lastError') ? contains(db, t.col('lastError'), r.errorContains) : raw('1 = 0'));
  if (r.groupKey !== undefined) where.push(t.has('groupKey') ? sql`${t.col('groupKey')} = ${r.groupKey}` : raw('1 = 0'));
  if (r.possiblySent !== undefined) where.push(flagIs(t, r.possiblySent));
  const offset = r.offset ? sql` OFFSET ${r.offset}` : raw('');
  const rows = await db.rows(
    sql`SELECT ${t.selectWithoutPayload} FROM ${t.name} WHERE ${join(where, ' AND ')} ORDER BY ${t.col('updatedAt')}, ${t.col('id')} LIMIT ${r.limit}${offset}`,
  );
  const [now] = await db.rows(sql`SELECT ${t.nowMs()}`, true);
  return { now: new Date(toNumber(now?.msgqueue_now)), rows: rows.map((row) => toRow(row, t.mapping)) };
}

/** The `possiblySent` flag is `value` (a NULL flag, written by other code, counts as false). */
function flagIs(t: Table, value: boolean): Sql {
  const column = t.col('possiblySent');
  return value ? sql`${column} = ${t.dialect.bool(true)}` : sql`(${column} IS NULL OR ${column} <> ${t.dialect.bool(true)})`;
}

/** `id` among `ids`: one array parameter on PostgreSQL (10,000 placeholders cost more to plan), a list elsewhere. */
function idIn(db: Db, t: Table, ids: readonly string[]): Sql {
  if (db.dialect.arrayParameters) return sql`${t.col('id')} = ANY(CAST(${[...ids]} AS text[]))`;
  return sql`${t.col('id')} IN (${join(ids.map((id) => sql`${id}`))})`;
}

/** `text` occurs in `column`, compared as written (case-sensitive) on every database. */
const CONTAINS: Record<SqlDialect, (column: Sql, text: string) => Sql> = {
  postgresql: (column, text) => sql`strpos(${column}, ${text}) > 0`,
  // MySQL compares by the column's collation (usually case-insensitive): compare the bytes instead.
  mysql: (column, text) => sql`INSTR(CAST(${column} AS BINARY), CAST(${text} AS BINARY)) > 0`,
  sqlite: (column, text) => sql`instr(${column}, ${text}) > 0`,
};
const contains = (db: Db, column: Sql, text: string): Sql => CONTAINS[db.dialect.name](column, text);

export async function operate(db: Db, t: Table, r: OperateRequest): Promise<boolean[]> {
  if (r.to === 'CANCELLED' && !t.schema.widths.cancelled) {
    const value = t.mapping.statuses.CANCELLED;
    throw new MsgQueueError(
      'SCHEMA_MISMATCH',
      `cancel: the status column of ${t.mapping.table} is an enum without '${value}'. Add it (PostgreSQL: ALTER TYPE … ADD VALUE '${value}'; MySQL: ALTER TABLE … MODIFY the ENUM with it), or map CANCELLED to a value the enum has with options.statuses.`,
      { field: 'options.statuses.CANCELLED' },
    );
  }
  const done = new Set<string>();
  const size = CHUNK[db.dialect.name];
  for (let i = 0; i < r.items.length; i += size) {
    for (const id of await OPERATE[db.dialect.name](db, t, r, r.items.slice(i, i + size))) done.add(id);
  }
  return r.items.map((item) => done.has(item.id));
}

/** Apply the change to the chunk's rows still as planned; answers the ids changed. */
type Operate = (db: Db, t: Table, r: OperateRequest, chunk: readonly OperateItem[]) => Promise<string[]>;

const OPERATE: Record<SqlDialect, Operate> = {
  async postgresql(db, t, r, chunk) {
    const plan = sql`unnest(CAST(${chunk.map((i) => i.id)} AS text[]), CAST(${chunk.map((i) => t.mapping.statuses[i.status])} AS text[]),
      CAST(${chunk.map((i) => i.claimToken ?? '')} AS text[]), CAST(${chunk.map((i) => String(i.attempts))} AS text[]),
      CAST(${chunk.map((i) => String(i.updatedAt.getTime()))} AS text[])) AS r(id, status, token, attempts, updated)`;
    // `id = ANY(…)` lets the planner reach the rows by primary key whatever its statistics say (a
    // table just bulk-loaded looks empty to it, and a nested loop over a sequential scan would follow).
    const fence = sql`m.${t.col('id')} = ANY(CAST(${chunk.map((i) => i.id)} AS text[])) AND m.${t.col('id')} = r.id AND ${t.inQueue(r.queue, 'm.')} AND CAST(m.${t.col('status')} AS text) = r.status
      AND m.${t.col('claimToken')} IS NOT DISTINCT FROM NULLIF(r.token, '') AND m.${t.col('attempts')} = CAST(r.attempts AS integer)
      AND ${t.epochMs('updatedAt', 'm.')} = CAST(r.updated AS double precision)`;
    const rows = await db.rows(
      r.to === 'DELETE'
        ? sql`DELETE FROM ${t.name} AS m USING ${plan} WHERE ${fence} RETURNING m.${t.col('id')} AS ${t.alias('id')}`
        : sql`UPDATE ${t.name} AS m SET ${join(assignments(t, r))} FROM ${plan} WHERE ${fence} RETURNING m.${t.col('id')} AS ${t.alias('id')}`,
      true,
    );
    return rows.map((row) => String(row.id));
  },
  async sqlite(db, t, r, chunk) {
    const plan = JSON.stringify(
      chunk.map((i) => [i.id, t.mapping.statuses[i.status], i.claimToken ?? '', i.attempts, i.updatedAt.getTime()]),
    );
    const field = (n: number) => raw(`json_extract(value, '$[${n}]')`);
    const fence = sql`${t.inQueue(r.queue)} AND ${t.col('id')} IN (SELECT ${field(0)} FROM json_each(${plan}))
      AND (${t.col('id')}, ${t.col('status')}, COALESCE(${t.col('claimToken')}, ''), ${t.col('attempts')}, ${t.epochMs('updatedAt')})
        IN (SELECT ${join([0, 1, 2, 3, 4].map(field))} FROM json_each(${plan}))`;
    const head = r.to === 'DELETE' ? sql`DELETE FROM ${t.name}` : sql`UPDATE ${t.name} SET ${join(assignments(t, r))}`;
    const rows = await db.rows(sql`${head} WHERE ${fence} RETURNING ${t.col('id')} AS ${t.alias('id')}`);
    return rows.map((row) => String(row.id));
  },
  mysql: (db, t, r, chunk) =>
    db.transaction(async (tx) => {
      const byId = new Map(chunk.map((i) => [i.id, i]));
      const rows = await tx.rows(
        sql`SELECT ${t.col('id')} AS ${t.alias('id')}, ${t.col('status')} AS ${t.alias('status')}, ${t.col('claimToken')} AS ${t.alias('claimToken')},
          ${t.col('attempts')} AS ${t.alias('attempts')}, ${t.epochMs('updatedAt')} AS ${t.alias('updatedAt')}
          FROM ${t.name} WHERE ${t.inQueue(r.queue)} AND ${t.col('id')} IN (${join(chunk.map((i) => sql`${i.id}`))}) FOR UPDATE`,
      );
      const still = rows
        .filter((row) => {
          const item = byId.get(String(row.id));
          return (
            item !== undefined &&
            String(row.status) === t.mapping.statuses[item.status] &&
            (row.claimToken === null || row.claimToken === undefined ? null : String(row.claimToken)) === item.claimToken &&
            toNumber(row.attempts) === item.attempts &&
            toNumber(row.updatedAt) === item.updatedAt.getTime()
          );
        })
        .map((row) => String(row.id));
      if (still.length === 0) return [];
      const head = r.to === 'DELETE' ? sql`DELETE FROM ${t.name}` : sql`UPDATE ${t.name} SET ${join(assignments(t, r))}`;
      await tx.count(sql`${head} WHERE ${t.col('id')} IN (${join(still.map((id) => sql`${id}`))})`);
      return still;
    }),
};

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
