/**
 * Recycling: one step per kind of row without a live claim — expired PROCESSING, expired SENDING,
 * and rows in flight without a lease (left by other code) once `orphanGraceMs` old — so each moved
 * row's outcome follows from its new status. Every UPDATE re-checks status and expiry itself
 * (River #1302): a row acked a moment ago is never overwritten.
 */
import { RECYCLE_REASONS as REASON, type RecycleOutcome, type RecycleRequest } from '@org/msgqueue';
import type { Executor } from '../executors/executor.js';
import { toStatus } from '../rows.js';
import type { TableSql } from '../table-sql.js';

type Step = 'PROCESSING' | 'SENDING' | 'ORPHANED';

export async function recycle(
  executor: Executor,
  sql: TableSql,
  { maxAttempts, deliveryMode, limit, orphanGraceMs }: RecycleRequest,
): Promise<RecycleOutcome> {
  const out: RecycleOutcome = { requeued: [], requeuedPossiblySent: [], held: [], failed: [], orphans: [] };
  for (const step of ['PROCESSING', 'SENDING', 'ORPHANED'] as const satisfies readonly Step[]) {
    const left = limit - out.requeued.length - out.requeuedPossiblySent.length - out.held.length - out.failed.length;
    if (left <= 0) break;
    const params = sql.params();
    const attempts = sql.col('attempts');
    // A row without a lease was left by other code: it may have been sent, like an expired SENDING row.
    const maybeSent = step !== 'PROCESSING';
    const hold = maybeSent && deliveryMode === 'at-most-once';
    // Placeholders are added in text order (MySQL and SQLite bind by position), and only when used.
    const status = hold
      ? sql.status('HELD')
      : sql.statusCase(
          `CASE WHEN ${attempts} >= ${params.add(maxAttempts)} THEN ${sql.status('FAILED')} ELSE ${sql.status('PENDING')} END`,
        );
    const reason =
      step === 'ORPHANED'
        ? hold
          ? REASON.orphanHeld
          : REASON.orphanResend
        : hold
          ? REASON.held
          : step === 'SENDING'
            ? REASON.resend
            : REASON.beforeSend;
    const set = [
      `${sql.col('status')} = ${status}`,
      `${sql.col('claimToken')} = NULL`,
      `${sql.col('leaseUntil')} = NULL`,
      `${sql.col('availableAt')} = ${sql.now('availableAt')}`,
      `${sql.col('updatedAt')} = ${sql.now('updatedAt')}`,
      maybeSent ? `${sql.col('possiblySent')} = ${sql.dialect.bool(true)}` : null,
      !sql.has('lastError')
        ? null
        : hold
          ? `${sql.col('lastError')} = ${params.add(reason)}`
          : `${sql.col('lastError')} = CASE WHEN ${attempts} >= ${params.add(maxAttempts)} THEN ${params.add(REASON.outOfAttempts)} ELSE ${params.add(reason)} END`,
    ]
      .filter(Boolean)
      .join(', ');
    // The WHERE is repeated in the statement, so it holds no placeholder: the grace period is a
    // validated whole number, written as a literal.
    const where =
      step === 'ORPHANED'
        ? `${sql.statusIn(['PROCESSING', 'SENDING'])} AND ${sql.col('leaseUntil')} IS NULL AND ${sql.col('updatedAt')} < ${sql.nowPlus('updatedAt', `(${-Math.trunc(orphanGraceMs)})`)}`
        : `${sql.col('status')} = ${sql.status(step)} AND ${sql.col('leaseUntil')} < ${sql.now('leaseUntil')}`;
    const order = step === 'ORPHANED' ? sql.col('updatedAt') : sql.col('leaseUntil');
    for (const row of await executor.recycle(sql, { set, params, where, order, limit: left })) {
      const id = String(row.id);
      const now = toStatus(row.status, sql.mapping, id);
      if (step === 'ORPHANED') out.orphans.push(id);
      if (now === 'FAILED') out.failed.push(id);
      else if (now === 'HELD') out.held.push(id);
      else if (maybeSent) out.requeuedPossiblySent.push(id);
      else out.requeued.push(id);
    }
  }
  return out;
}
