import { type InspectRequest, MESSAGE_STATUSES, type MessageStatus, type StorageSnapshot } from '@org/msgqueue';
import type { PrismaRawClient } from './prisma-like.js';
import { type RawRow, toNumber, toRecord, toStatus } from './rows.js';
import type { TableSql } from './table-sql.js';

/** The figures `diagnose` reports, in a handful of read-only queries on the database's clock. */
export async function inspect(client: PrismaRawClient, sql: TableSql, request: InspectRequest): Promise<StorageSnapshot> {
  const d = sql.dialect;
  const q = (text: string, values: unknown[] = []) => client.$queryRawUnsafe<RawRow[]>(text, ...values);
  const a = (alias: string) => d.quote(alias);
  const inFlight = sql.statusIn(['PROCESSING', 'SENDING']);
  const expired = `${inFlight} AND ${sql.col('leaseUntil')} < ${sql.now('leaseUntil')}`;
  const orphaned = `${inFlight} AND ${sql.col('leaseUntil')} IS NULL`;
  const failed = `${sql.col('status')} = ${sql.status('FAILED')}`;

  const byStatus = await q(
    `SELECT ${sql.col('status')} AS ${a('status')}, COUNT(*) AS ${a('n')} FROM ${sql.table} GROUP BY ${sql.col('status')}`,
  );
  const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
  for (const row of byStatus) counts[toStatus(row.status, sql.mapping)] += toNumber(row.n);

  const params = sql.params();
  const sum = (condition: string, alias: string) => `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END) AS ${a(alias)}`;
  const [figures] = await q(
    `SELECT ${d.epochMs(sql.now('updatedAt'), sql.schema.times.updatedAt)} AS ${a('now')},
       MIN(CASE WHEN ${sql.col('status')} = ${sql.status('PENDING')} THEN ${d.epochMs(sql.col('createdAt'), sql.schema.times.createdAt)} END) AS ${a('oldestPending')},
       ${sum(sql.duePending(), 'duePending')},
       ${sum(expired, 'expired')},
       ${sum(`${inFlight} AND ${sql.col('leaseUntil')} IS NOT NULL AND ${sql.col('updatedAt')} < ${sql.nowPlus('updatedAt', params.add(-request.inFlightAlertMs))}`, 'tooLong')},
       ${sum(orphaned, 'orphaned')},
       ${shiftApplies(sql) ? sum(timeZoneShift(sql, params), 'shifted') : `0 AS ${a('shifted')}`},
       ${sum(`${failed} AND ${sql.col('updatedAt')} >= ${sql.nowPlus('updatedAt', params.add(-request.failedWindowMs))}`, 'failedInWindow')},
       ${sum(`${sql.col('possiblySent')} = ${d.bool(true)} AND ${sql.statusIn(['PENDING', 'PROCESSING', 'SENDING'])}`, 'possiblySent')}
     FROM ${sql.table}`,
    params.values,
  );
  let duplicateDedupeKeys = 0;
  if (sql.has('dedupeKey')) {
    const k = sql.col('dedupeKey');
    const [dup] = await q(
      `SELECT COUNT(*) AS ${a('n')} FROM (SELECT ${k} FROM ${sql.table} WHERE ${k} IS NOT NULL GROUP BY ${k} HAVING COUNT(*) > 1) dups`,
    );
    duplicateDedupeKeys = toNumber(dup?.n);
  }
  let blockedGroups = 0;
  if (request.groupPolicy === 'block' && sql.has('groupKey')) {
    const [g, st, created, id] = [sql.col('groupKey'), sql.col('status'), sql.col('createdAt'), sql.col('id')];
    const [row] = await q(`SELECT COUNT(DISTINCT f.${g}) AS ${a('n')} FROM ${sql.table} f
      WHERE f.${g} IS NOT NULL AND f.${st} IN (${sql.status('FAILED')}, ${sql.status('HELD')})
        AND EXISTS (SELECT 1 FROM ${sql.table} p WHERE p.${g} = f.${g} AND p.${st} = ${sql.status('PENDING')}
          AND (p.${created} > f.${created} OR (p.${created} = f.${created} AND p.${id} > f.${id})))`);
    blockedGroups = toNumber(row?.n);
  }
  const sample = async (where: string, order: string) => {
    if (request.sampleSize === 0) return [];
    const p = sql.params();
    const rows = await q(
      `SELECT ${sql.select} FROM ${sql.table} WHERE ${where} ORDER BY ${order} LIMIT ${p.add(request.sampleSize)}`,
      p.values,
    );
    return rows.map((r) => toRecord(r, sql.mapping));
  };
  const updated = sql.col('updatedAt');
  const f = figures ?? {};
  return {
    now: new Date(toNumber(f.now)),
    counts,
    oldestPendingCreatedAt: f.oldestPending === null || f.oldestPending === undefined ? null : new Date(toNumber(f.oldestPending)),
    duePending: toNumber(f.duePending),
    expiredInFlight: toNumber(f.expired),
    inFlightTooLong: toNumber(f.tooLong),
    orphanedInFlight: toNumber(f.orphaned),
    pendingShiftedByTimeZone: shiftApplies(sql) ? { rows: toNumber(f.shifted), offsetMinutes: sql.schema.sessionOffsetMinutes } : null,
    failedInWindow: toNumber(f.failedInWindow),
    possiblySentPending: toNumber(f.possiblySent),
    duplicateDedupeKeys,
    blockedGroups,
    samples: {
      expiredInFlight: await sample(expired, `${updated}, ${sql.col('id')}`),
      orphanedInFlight: await sample(orphaned, `${updated}, ${sql.col('id')}`),
      failed: await sample(failed, `${updated} DESC, ${sql.col('id')} DESC`),
      held: await sample(`${sql.col('status')} = ${sql.status('HELD')}`, `${updated}, ${sql.col('id')}`),
    },
  };
}

/**
 * PENDING rows that look due in the future by about the session's UTC offset: `availableAt` written
 * as local wall time (a `DEFAULT CURRENT_TIMESTAMP` when the column was added) into a column the
 * adapter reads as UTC. Due within the offset from now, and at least about the offset after their
 * creation. Its parameters are added where it is called: call it in text order.
 */
function timeZoneShift(sql: TableSql, params: ReturnType<TableSql['params']>): string {
  const offsetMs = sql.schema.sessionOffsetMinutes * 60_000;
  const kind = sql.schema.times.availableAt;
  const d = sql.dialect;
  const available = d.epochMs(sql.col('availableAt'), kind);
  const created = d.epochMs(sql.col('createdAt'), sql.schema.times.createdAt);
  const now = d.epochMs(sql.now('availableAt'), kind);
  const margin = 60_000;
  return `${sql.col('status')} = ${sql.status('PENDING')} AND ${available} > ${now}
    AND ${available} <= ${now} + ${params.add(offsetMs + margin)} AND ${available} - ${created} >= ${params.add(offsetMs - margin)}`;
}

/** Only where the session is ahead of UTC and availableAt has no time zone can local time pass for UTC. */
function shiftApplies(sql: TableSql): boolean {
  const kind = sql.schema.times.availableAt;
  return sql.schema.sessionOffsetMinutes > 0 && (kind === 'pg-timestamp' || kind === 'mysql-datetime');
}
