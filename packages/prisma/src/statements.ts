import type { GroupFailurePolicy, InsertOutcome, InsertRecord } from '@org/msgqueue';
import type { PrismaRawClient } from './prisma-like.js';
import type { Params, TableSql } from './table-sql.js';

/** Columns and value expressions of one inserted row, parameters added in column order. */
export function insertColumns(sql: TableSql, params: Params, r: InsertRecord): { columns: string[]; values: string[] } {
  const d = sql.dialect;
  const now = sql.now('createdAt');
  const cols: [string, string][] = [
    [sql.col('id'), params.add(r.id)],
    [sql.col('status'), sql.status('PENDING')],
    [sql.col('payload'), d.payloadIn(params.add(r.payload), sql.schema.payload)],
    [sql.col('attempts'), '0'],
  ];
  if (sql.has('priority')) cols.push([sql.col('priority'), params.add(r.priority)]);
  cols.push([
    sql.col('availableAt'),
    r.availableAt
      ? d.fromEpochMs(sql.schema.times.availableAt, params.add(r.availableAt.getTime()))
      : sql.nowPlus('availableAt', params.add(r.delayMs)),
  ]);
  if (sql.has('dedupeKey')) cols.push([sql.col('dedupeKey'), params.add(r.dedupeKey)]);
  if (sql.has('groupKey')) cols.push([sql.col('groupKey'), params.add(r.groupKey)]);
  cols.push([sql.col('possiblySent'), d.bool(false)], [sql.col('createdAt'), now], [sql.col('updatedAt'), sql.now('updatedAt')]);
  return { columns: cols.map((c) => c[0]), values: cols.map((c) => c[1]) };
}

/**
 * Outcomes in input order: the records in `created` were written; for the others, read the
 * existing rows that made them no-ops (by dedupe key first, then by id).
 */
export async function insertOutcomes(
  client: PrismaRawClient,
  sql: TableSql,
  records: readonly InsertRecord[],
  created: Set<string>,
): Promise<InsertOutcome[]> {
  const missing = records.filter((r) => !created.has(r.id));
  if (missing.length === 0) return records.map((r) => ({ id: r.id, created: true }));
  const params = sql.params();
  const existing = await client.$queryRawUnsafe<{ id: unknown; dedupeKey: unknown }[]>(
    existingQuery(sql, params, missing),
    ...params.values,
  );
  return outcomes(records, created, existing);
}

function existingQuery(sql: TableSql, params: Params, records: readonly InsertRecord[]): string {
  const ids = records.map((r) => params.add(r.id));
  const keyed = sql.has('dedupeKey') ? records.filter((r) => r.dedupeKey !== null) : [];
  const keys = keyed.map((r) => params.add(r.dedupeKey));
  const dedupe = sql.has('dedupeKey') ? sql.col('dedupeKey') : 'NULL';
  return `SELECT ${sql.col('id')} AS ${sql.dialect.quote('id')}, ${dedupe} AS ${sql.dialect.quote('dedupeKey')} FROM ${sql.table}
    WHERE ${sql.col('id')} IN (${ids.join(', ')})${keys.length ? ` OR ${dedupe} IN (${keys.join(', ')})` : ''}`;
}

/** Resolve per-record outcomes from the rows that exist and the ids that were created. */
function outcomes(records: readonly InsertRecord[], created: Set<string>, existing: { id: unknown; dedupeKey: unknown }[]) {
  return records.map((r) => {
    if (created.has(r.id)) return { id: r.id, created: true as const };
    const byKey = r.dedupeKey === null ? undefined : existing.find((e) => e.dedupeKey !== null && String(e.dedupeKey) === r.dedupeKey);
    return { id: byKey ? String(byKey.id) : r.id, created: false as const };
  });
}

/** The SET of a claim: PROCESSING under the token, the lease from the database's now, the attempt counted. */
export function claimSet(sql: TableSql, params: Params, token: string, leaseMs: number): string {
  return [
    `${sql.col('status')} = ${sql.status('PROCESSING')}`,
    `${sql.col('claimToken')} = ${params.add(token)}`,
    `${sql.col('leaseUntil')} = ${sql.nowPlus('leaseUntil', params.add(leaseMs))}`,
    `${sql.col('attempts')} = ${sql.col('attempts')} + 1`,
    `${sql.col('updatedAt')} = ${sql.now('updatedAt')}`,
  ].join(', ');
}

/** The ids a claim may take (rows aliased `c`), in claim order; the caller adds LIMIT and locking. */
export function claimCandidates(sql: TableSql, groupPolicy: GroupFailurePolicy): string {
  return `SELECT c.${sql.col('id')} AS ${sql.dialect.quote('id')} FROM ${sql.table} c
    WHERE ${sql.duePending('c.')} AND ${sql.groupFree(groupPolicy)} ORDER BY ${sql.claimOrder('c.')}`;
}
