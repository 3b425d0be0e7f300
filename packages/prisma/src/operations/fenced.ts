/**
 * The compare-and-set UPDATEs behind guard, settle (ack, fail, release), extend and requeue: one
 * statement each, matching on id, claim token and expected status, so a worker that lost its claim
 * changes nothing. Parameters are added in text order (SET, then WHERE): MySQL and SQLite bind `?`
 * by position.
 */
import type { ExtendRequest, GuardRequest, MessageStatus, RequeueRequest, SettleRequest } from '@org/msgqueue';
import type { CasUpdate } from '../executors/executor.js';
import type { Params, TableSql } from '../table-sql.js';

/** `id = ? AND claim_token = ? AND status IN (…)`. */
function held(sql: TableSql, params: Params, id: string, token: string, from: readonly MessageStatus[]): string {
  return `${sql.col('id')} = ${params.add(id)} AND ${sql.col('claimToken')} = ${params.add(token)} AND ${sql.statusIn(from)}`;
}

/** PROCESSING → SENDING while the claim holds the row with at least `minLeaseMs` left. */
export function guardUpdate(sql: TableSql, { id, token, minLeaseMs }: GuardRequest): CasUpdate {
  const params = sql.params();
  const set = `${sql.col('status')} = ${sql.status('SENDING')}, ${sql.col('updatedAt')} = ${sql.now('updatedAt')}`;
  const where = `${held(sql, params, id, token, ['PROCESSING'])} AND ${sql.col('leaseUntil')} >= ${sql.nowPlus('leaseUntil', params.add(minLeaseMs))}`;
  return { set, where, params, id };
}

/** End or pause a claim: token and lease cleared, the new status, and what comes with it. */
export function settleUpdate(
  sql: TableSql,
  { id, token, from, to, delayMs, error, refundAttempt, possiblySent }: SettleRequest,
): CasUpdate {
  const params = sql.params();
  const attempts = sql.col('attempts');
  const set = [
    `${sql.col('status')} = ${sql.status(to)}`,
    `${sql.col('claimToken')} = NULL`,
    `${sql.col('leaseUntil')} = NULL`,
    `${sql.col('updatedAt')} = ${sql.now('updatedAt')}`,
    to === 'PENDING' ? `${sql.col('availableAt')} = ${sql.nowPlus('availableAt', params.add(delayMs))}` : null,
    error !== null && sql.has('lastError') ? `${sql.col('lastError')} = ${params.add(fitText(error, sql.schema.widths.lastError))}` : null,
    refundAttempt ? `${attempts} = CASE WHEN ${attempts} > 0 THEN ${attempts} - 1 ELSE 0 END` : null,
    possiblySent ? `${sql.col('possiblySent')} = ${sql.dialect.bool(true)}` : null,
  ]
    .filter(Boolean)
    .join(', ');
  return { set, where: held(sql, params, id, token, from), params, id };
}

/** Push the lease of a held row to now + `leaseMs`. */
export function extendUpdate(sql: TableSql, { id, token, leaseMs }: ExtendRequest): CasUpdate {
  const params = sql.params();
  const set = `${sql.col('leaseUntil')} = ${sql.nowPlus('leaseUntil', params.add(leaseMs))}`;
  return { set, where: held(sql, params, id, token, ['PROCESSING', 'SENDING']), params, id };
}

/** An operator's retry: FAILED or HELD → PENDING now, attempts reset. */
export function requeueUpdate(sql: TableSql, { id, from }: RequeueRequest): CasUpdate {
  const params = sql.params();
  const set = [
    `${sql.col('status')} = ${sql.status('PENDING')}`,
    `${sql.col('attempts')} = 0`,
    `${sql.col('claimToken')} = NULL`,
    `${sql.col('leaseUntil')} = NULL`,
    `${sql.col('availableAt')} = ${sql.now('availableAt')}`,
    `${sql.col('updatedAt')} = ${sql.now('updatedAt')}`,
  ].join(', ');
  return { set, where: `${sql.col('id')} = ${params.add(id)} AND ${sql.statusIn(from)}`, params, id };
}

/** Cut `text` to what a column of `width` characters holds (code points, as databases count them). */
export function fitText(text: string, width: number | null): string {
  if (width === null) return text;
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}
