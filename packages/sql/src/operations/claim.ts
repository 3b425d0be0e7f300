/**
 * Claim: up to `limit` due PENDING rows become PROCESSING under one token, leased from the
 * database's now, attempt counted — never more than `limit`, never a row to two claimers.
 *
 * - PostgreSQL: one statement. The candidates are picked in a MATERIALIZED CTE with FOR UPDATE SKIP
 *   LOCKED, so the subquery runs once and concurrent claimers skip each other's rows instead of
 *   waiting (`WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` may be re-evaluated and lock
 *   more than n).
 * - MySQL/MariaDB: no UPDATE … RETURNING, so a few-millisecond transaction: lock the candidates with
 *   FOR UPDATE SKIP LOCKED, update them re-checking PENDING, read them back by token. The group rule's
 *   subquery is a consistent (non-locking) read: InnoDB only locks the outer candidates, so rows
 *   another claimer has locked still count as holding their group. Needs the (status, priority,
 *   available_at, id) index: InnoDB locks what it scans.
 * - SQLite: one writer at a time, so one autocommit UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING.
 */
import type { ClaimRequest } from '@org/msgqueue';
import type { Row } from '../client.js';
import { unreachable } from '../dialects/dialect.js';
import type { Table } from '../table.js';
import { join, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

/** The SET of a claim: PROCESSING under the token, the lease from the database's now, the attempt counted. */
function claimSet(t: Table, token: string, leaseMs: number): Sql {
  return sql`${t.col('status')} = ${t.status('PROCESSING')}, ${t.col('claimToken')} = ${token},
    ${t.col('leaseUntil')} = ${t.nowPlus('leaseUntil', leaseMs)}, ${t.col('attempts')} = ${t.col('attempts')} + 1,
    ${t.col('updatedAt')} = ${t.now('updatedAt')}`;
}

/** The ids a claim may take (rows aliased `c`), in claim order, at most `limit`. */
function candidates(t: Table, request: ClaimRequest): Sql {
  return sql`SELECT c.${t.col('id')} AS ${t.alias('id')} FROM ${t.name} c
    WHERE ${t.inQueue(request.queue, 'c.')} AND ${t.duePending('c.')} AND ${t.groupFree(request.groupPolicy)} ORDER BY ${t.claimOrder('c.')} LIMIT ${request.limit}`;
}

export async function claim(db: Db, t: Table, request: ClaimRequest): Promise<Row[]> {
  const set = claimSet(t, request.token, request.leaseMs);
  const name = db.dialect.name;
  switch (name) {
    case 'postgresql':
      return db.rows(
        sql`WITH picked AS MATERIALIZED (${candidates(t, request)} FOR UPDATE OF c SKIP LOCKED)
        UPDATE ${t.name} AS m SET ${set} FROM picked WHERE m.${t.col('id')} = picked.${t.alias('id')}
        RETURNING ${t.selectList('m.')}`,
        true,
      );
    case 'sqlite':
      return db.rows(
        sql`UPDATE ${t.name} SET ${set}
        WHERE ${t.col('id')} IN (${candidates(t, request)}) AND ${t.col('status')} = ${t.status('PENDING')}
        RETURNING ${t.select}`,
        true,
      );
    case 'mysql':
      return db.transaction(async (tx) => {
        const picked = await tx.rows(sql`${candidates(t, request)} FOR UPDATE SKIP LOCKED`);
        if (picked.length === 0) return [];
        const ids = sql`${t.col('id')} IN (${join(picked.map((r) => sql`${r.id}`))})`;
        await tx.count(sql`UPDATE ${t.name} SET ${set} WHERE ${ids} AND ${t.col('status')} = ${t.status('PENDING')}`);
        return tx.rows(sql`SELECT ${t.select} FROM ${t.name} WHERE ${ids} AND ${t.col('claimToken')} = ${request.token}`);
      });
    default:
      return unreachable(name);
  }
}
