/**
 * The figures `diagnose` reports, read in one SELECT — counts by status, due, expired, orphaned,
 * failures in the window, duplicate keys and blocked groups as scalar subqueries — so every number
 * comes from one snapshot of the table at one instant of the database's clock, with no transaction,
 * on every database. The few sample rows are read right after, one SELECT per list.
 */
import { MESSAGE_STATUSES, type MessageStatus, type SnapshotRequest, type StorageSnapshot } from '@org/msgqueue';
import { toNumber, toRecord, toStatus } from '../rows.js';
import type { Table } from '../table.js';
import { join, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

export async function snapshot(db: Db, t: Table, request: SnapshotRequest): Promise<StorageSnapshot> {
  const a = (name: string) => t.alias(name);
  const sum = (condition: Sql, alias: string) => sql`SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END) AS ${a(alias)}`;
  const inFlight = t.statusIn(['PROCESSING', 'SENDING']);
  const expired = sql`${inFlight} AND ${t.col('leaseUntil')} < ${t.now('leaseUntil')}`;
  const orphaned = sql`${inFlight} AND ${t.col('leaseUntil')} IS NULL`;
  const failed = sql`${t.col('status')} = ${t.status('FAILED')}`;
  const shifted = timeZoneShift(t);
  const mine = t.inQueue(request.queue);

  const [f = {}] = await db.rows(
    sql`SELECT ${join([
      sql`${t.dialect.epochMs(t.now('updatedAt'), t.schema.times.updatedAt)} AS ${a('now')}`,
      ...MESSAGE_STATUSES.map((s) => sum(sql`${t.col('status')} = ${t.status(s)}`, `count_${s}`)),
      sum(sql`NOT (${t.statusIn(MESSAGE_STATUSES)})`, 'unknownStatus'),
      sql`MIN(CASE WHEN ${t.col('status')} = ${t.status('PENDING')} THEN ${t.epochMs('createdAt')} END) AS ${a('oldestPending')}`,
      sum(t.duePending(), 'duePending'),
      sum(expired, 'expired'),
      sum(
        sql`${inFlight} AND ${t.col('leaseUntil')} IS NOT NULL AND ${t.col('updatedAt')} < ${t.nowPlus('updatedAt', -request.inFlightAlertMs)}`,
        'tooLong',
      ),
      sum(orphaned, 'orphaned'),
      shifted ? sum(shifted, 'shifted') : sql`0 AS ${a('shifted')}`,
      sum(sql`${failed} AND ${t.col('updatedAt')} >= ${t.nowPlus('updatedAt', -request.failedWindowMs)}`, 'failedInWindow'),
      sum(sql`${t.col('possiblySent')} = ${t.dialect.bool(true)} AND ${t.statusIn(['PENDING', 'PROCESSING', 'SENDING'])}`, 'possiblySent'),
      sql`${duplicateKeys(t, request.queue)} AS ${a('duplicateKeys')}`,
      sql`${request.groupPolicy === 'block' ? blockedGroups(t, request.queue) : sql`0`} AS ${a('blockedGroups')}`,
    ])} FROM ${t.name} WHERE ${mine}`,
    true,
  );

  if (toNumber(f.unknownStatus) > 0) {
    // Name the value the mapping does not know (toStatus throws CORRUPT_ROW).
    const [row] = await db.rows(
      sql`SELECT ${t.col('id')} AS ${a('id')}, ${t.col('status')} AS ${a('status')} FROM ${t.name} WHERE ${mine} AND NOT (${t.statusIn(MESSAGE_STATUSES)}) LIMIT 1`,
    );
    if (row) toStatus(row.status, t.mapping, row.id);
  }
  const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, toNumber(f[`count_${s}`])])) as Record<MessageStatus, number>;
  const sample = async (where: Sql, order: Sql) =>
    request.sampleSize === 0
      ? []
      : (
          await db.rows(
            sql`SELECT ${t.select} FROM ${t.name} WHERE ${mine} AND ${where} ORDER BY ${order} LIMIT ${request.sampleSize}`,
            true,
          )
        ).map((r) => toRecord(r, t.mapping));
  const [updated, id] = [t.col('updatedAt'), t.col('id')];
  return {
    now: new Date(toNumber(f.now)),
    counts,
    oldestPendingCreatedAt: f.oldestPending === null || f.oldestPending === undefined ? null : new Date(toNumber(f.oldestPending)),
    duePending: toNumber(f.duePending),
    expiredInFlight: toNumber(f.expired),
    inFlightTooLong: toNumber(f.tooLong),
    orphanedInFlight: toNumber(f.orphaned),
    pendingShiftedByTimeZone: shifted ? { rows: toNumber(f.shifted), offsetMinutes: t.schema.sessionOffsetMinutes } : null,
    failedInWindow: toNumber(f.failedInWindow),
    possiblySentPending: toNumber(f.possiblySent),
    duplicateDedupeKeys: toNumber(f.duplicateKeys),
    blockedGroups: toNumber(f.blockedGroups),
    samples: {
      expiredInFlight: await sample(expired, sql`${updated}, ${id}`),
      orphanedInFlight: await sample(orphaned, sql`${updated}, ${id}`),
      failed: await sample(failed, sql`${updated} DESC, ${id} DESC`),
      held: await sample(sql`${t.col('status')} = ${t.status('HELD')}`, sql`${updated}, ${id}`),
    },
  };
}

/** Dedupe keys carried by more than one row (a table without a unique index on them). */
function duplicateKeys(t: Table, queue: string): Sql {
  if (!t.has('dedupeKey')) return sql`0`;
  const k = t.col('dedupeKey');
  return sql`(SELECT COUNT(*) FROM (SELECT ${k} FROM ${t.name} WHERE ${t.inQueue(queue)} AND ${k} IS NOT NULL GROUP BY ${k} HAVING COUNT(*) > 1) dups)`;
}

/** Groups with a FAILED or HELD message and a PENDING one after it (groupFailurePolicy `block`). */
function blockedGroups(t: Table, queue: string): Sql {
  if (!t.has('groupKey')) return sql`0`;
  const [g, created, id] = [t.col('groupKey'), t.col('createdAt'), t.col('id')];
  const sameQueue = t.has('queue') ? sql` AND p.${t.col('queue')} = f.${t.col('queue')}` : sql``;
  return sql`(SELECT COUNT(DISTINCT f.${g}) FROM ${t.name} f
    WHERE ${t.inQueue(queue, 'f.')} AND f.${g} IS NOT NULL AND ${t.statusIn(['FAILED', 'HELD'], 'f.')}
      AND EXISTS (SELECT 1 FROM ${t.name} p WHERE p.${g} = f.${g}${sameQueue} AND p.${t.col('status')} = ${t.status('PENDING')}
        AND (p.${created} > f.${created} OR (p.${created} = f.${created} AND p.${id} > f.${id}))))`;
}

/**
 * PENDING rows that look due in the future by about the session's UTC offset: `availableAt` written
 * as local wall time (a `DEFAULT CURRENT_TIMESTAMP` when the column was added) into a column read as
 * UTC. Due within the offset from now, and at least about the offset after their creation. Only
 * where the session is ahead of UTC and the column has no time zone; null otherwise.
 */
function timeZoneShift(t: Table): Sql | null {
  const kind = t.schema.times.availableAt;
  const offsetMs = t.schema.sessionOffsetMinutes * 60_000;
  if (offsetMs <= 0 || (kind !== 'pg-timestamp' && kind !== 'mysql-datetime')) return null;
  const available = t.epochMs('availableAt');
  const now = t.dialect.epochMs(t.now('availableAt'), kind);
  const margin = 60_000;
  return sql`${t.col('status')} = ${t.status('PENDING')} AND ${available} > ${now}
    AND ${available} <= ${now} + ${offsetMs + margin} AND ${available} - ${t.epochMs('createdAt')} >= ${offsetMs - margin}`;
}
