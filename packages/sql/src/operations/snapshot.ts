/**
 * The figures `diagnose` reports, read in one SELECT of scalar subqueries, so every number comes
 * from one snapshot of the table at one instant of the database's clock, with no transaction, on
 * every database. Each subquery reads only the rows it counts, through an index: the counts by
 * status through (queue, status, updated_at), what is due or in flight through the claim and lease
 * indexes, blocked groups through the group index; nothing scans the table's history. Two figures
 * could: SENT rows (a table's history, millions of them) are the planner's estimate on PostgreSQL
 * once the table holds more than {@link ESTIMATE_SENT_ABOVE} rows (named in `estimated`), and
 * duplicate dedupe keys are only looked for when no unique index rules them out. Statuses the
 * mapping does not know are found by skipping through the status index, one probe per value. The
 * few sample rows are read right after, one SELECT per list.
 */
import { MESSAGE_STATUSES, type MessageStatus, type SnapshotRequest, type StorageSnapshot } from '@org/msgqueue';
import { toNumber, toRecord, toStatus } from '../rows.js';
import type { Table } from '../table.js';
import { join, raw, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

/** Above this many rows in the table (the catalog's figure), PostgreSQL's SENT count is the planner's estimate. */
export const ESTIMATE_SENT_ABOVE = 200_000;

export async function snapshot(db: Db, t: Table, request: SnapshotRequest): Promise<StorageSnapshot> {
  const a = (name: string) => t.alias(name);
  const mine = t.inQueue(request.queue);
  const count = (where: Sql, alias: string) => sql`(SELECT COUNT(*) FROM ${t.name} WHERE ${mine} AND ${where}) AS ${a(alias)}`;
  const inFlight = t.statusIn(['PROCESSING', 'SENDING']);
  const expired = sql`${inFlight} AND ${t.col('leaseUntil')} < ${t.now('leaseUntil')}`;
  const orphaned = sql`${inFlight} AND ${t.col('leaseUntil')} IS NULL`;
  const failed = sql`${t.col('status')} = ${t.status('FAILED')}`;
  const pending = sql`${t.col('status')} = ${t.status('PENDING')}`;
  const shifted = timeZoneShift(t);
  const recentMs = request.throughputWindowMs;
  const estimateSent = await sentIsEstimated(db, t);
  const exact = MESSAGE_STATUSES.filter((s) => !(s === 'SENT' && estimateSent));

  const [f = {}] = await db.rows(
    sql`SELECT ${join([
      sql`${t.dialect.epochMs(t.now('updatedAt'), t.schema.times.updatedAt)} AS ${a('now')}`,
      ...exact.map((s) => count(sql`${t.col('status')} = ${t.status(s)}`, `count_${s}`)),
      sql`${t.dialect.epochMs(sql`(SELECT MIN(${t.col('createdAt')}) FROM ${t.name} WHERE ${mine} AND ${pending})`, t.schema.times.createdAt)} AS ${a('oldestPending')}`,
      count(sql`${t.col('availableAt')} <= ${t.now('availableAt')} AND ${pending}`, 'duePending'),
      count(expired, 'expired'),
      count(
        sql`${inFlight} AND ${t.col('leaseUntil')} IS NOT NULL AND ${t.col('updatedAt')} < ${t.nowPlus('updatedAt', -request.inFlightAlertMs)}`,
        'tooLong',
      ),
      count(orphaned, 'orphaned'),
      shifted ? count(shifted, 'shifted') : sql`0 AS ${a('shifted')}`,
      count(sql`${failed} AND ${t.col('updatedAt')} >= ${t.nowPlus('updatedAt', -request.failedWindowMs)}`, 'failedInWindow'),
      ...(recentMs === undefined
        ? []
        : (['SENT', 'FAILED'] as const).map((s) =>
            count(
              sql`${t.col('status')} = ${t.status(s)} AND ${t.col('updatedAt')} >= ${t.nowPlus('updatedAt', -recentMs)}`,
              `recent_${s}`,
            ),
          )),
      count(
        sql`${t.statusIn(['PENDING', 'PROCESSING', 'SENDING'])} AND ${t.col('possiblySent')} = ${t.dialect.bool(true)}`,
        'possiblySent',
      ),
      sql`${t.schema.dedupeUnique ? sql`0` : duplicateKeys(t, request.queue)} AS ${a('duplicateKeys')}`,
      sql`${request.groupPolicy === 'block' ? blockedGroups(t, request.queue) : sql`0`} AS ${a('blockedGroups')}`,
    ])}`,
    true,
  );
  await refuseUnknownStatuses(db, t, request.queue);
  const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, toNumber(f[`count_${s}`])])) as Record<MessageStatus, number>;
  if (estimateSent) counts.SENT = await plannedRows(db, t, request.queue, 'SENT');
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
    ...(estimateSent ? { estimated: ['SENT'] as MessageStatus[] } : {}),
    oldestPendingCreatedAt: f.oldestPending === null || f.oldestPending === undefined ? null : new Date(toNumber(f.oldestPending)),
    duePending: toNumber(f.duePending),
    expiredInFlight: toNumber(f.expired),
    inFlightTooLong: toNumber(f.tooLong),
    orphanedInFlight: toNumber(f.orphaned),
    pendingShiftedByTimeZone: shifted ? { rows: toNumber(f.shifted), offsetMinutes: t.schema.sessionOffsetMinutes } : null,
    failedInWindow: toNumber(f.failedInWindow),
    ...(recentMs === undefined ? {} : { finishedInThroughputWindow: { SENT: toNumber(f.recent_SENT), FAILED: toNumber(f.recent_FAILED) } }),
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

/** PostgreSQL, a table past {@link ESTIMATE_SENT_ABOVE} rows by the catalog: SENT is estimated. */
async function sentIsEstimated(db: Db, t: Table): Promise<boolean> {
  if (db.dialect.name !== 'postgresql') return false;
  const [row] = await db.rows(
    sql`SELECT CAST(reltuples AS bigint) AS ${t.alias('rows')} FROM pg_class WHERE oid = to_regclass(${t.dialect.quote(t.mapping.table)})`,
    true,
  );
  return toNumber(row?.rows) > ESTIMATE_SENT_ABOVE;
}

/** The planner's estimate of a queue's rows in one status (PostgreSQL's statistics, kept by ANALYZE and autovacuum). */
async function plannedRows(db: Db, t: Table, queue: string, status: MessageStatus): Promise<number> {
  // EXPLAIN takes no parameters: the queue name goes in as a quoted literal.
  const scope = t.has('queue') ? sql`${t.col('queue')} = ${raw(`'${queue.replace(/'/g, "''")}'`)} AND ` : sql``;
  const [row] = await db.rows(sql`EXPLAIN (FORMAT JSON) SELECT 1 FROM ${t.name} WHERE ${scope}${t.col('status')} = ${t.status(status)}`);
  const value = row ? Object.values(row)[0] : null;
  const plan = (typeof value === 'string' ? JSON.parse(value) : value) as { Plan?: { 'Plan Rows'?: number } }[] | null;
  return Math.round(plan?.[0]?.Plan?.['Plan Rows'] ?? 0);
}

/**
 * A status value the mapping does not know is CORRUPT_ROW, named. The distinct statuses are read by
 * skipping through the (queue, status) index: one probe per value, however many rows hold it.
 */
async function refuseUnknownStatuses(db: Db, t: Table, queue: string): Promise<void> {
  const status = t.col('status');
  const mine = t.inQueue(queue);
  const rows = await db.rows(
    sql`WITH RECURSIVE s(v) AS (
      SELECT MIN(${status}) FROM ${t.name} WHERE ${mine}
      UNION ALL
      SELECT (SELECT MIN(${status}) FROM ${t.name} WHERE ${t.inQueue(queue)} AND ${status} > s.v) FROM s WHERE s.v IS NOT NULL)
    SELECT v AS ${t.alias('v')} FROM s WHERE v IS NOT NULL`,
    true,
  );
  const known = new Set(MESSAGE_STATUSES.map((s) => t.mapping.statuses[s]));
  const unknown = rows.map((r) => r.v).find((v) => !known.has(String(v)));
  if (unknown === undefined) return;
  const [row] = await db.rows(
    sql`SELECT ${t.col('id')} AS ${t.alias('id')}, ${status} AS ${t.alias('status')} FROM ${t.name} WHERE ${mine} AND ${status} = ${unknown} LIMIT 1`,
  );
  if (row) toStatus(row.status, t.mapping, row.id);
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
