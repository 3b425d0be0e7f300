/**
 * Recycling expired leases: one step per in-flight status, so each moved row's outcome follows
 * from its new status. Every UPDATE re-checks status and expiry itself (River #1302): a row acked
 * a moment ago is never overwritten.
 */
import type { RecycleOutcome, RecycleRequest } from '@org/msgqueue';
import type { Executor } from '../executors/executor.js';
import { toStatus } from '../rows.js';
import type { TableSql } from '../table-sql.js';

/** lastError of a message the recycler failed for running out of attempts. */
const OUT_OF_ATTEMPTS = 'lease expired and no attempts left';

export async function recycle(
  executor: Executor,
  sql: TableSql,
  { maxAttempts, deliveryMode, limit }: RecycleRequest,
): Promise<RecycleOutcome> {
  const out: RecycleOutcome = { requeued: [], requeuedPossiblySent: [], held: [], failed: [] };
  for (const from of ['PROCESSING', 'SENDING'] as const) {
    const left = limit - out.requeued.length - out.requeuedPossiblySent.length - out.held.length - out.failed.length;
    if (left <= 0) break;
    const params = sql.params();
    const attempts = sql.col('attempts');
    const hold = from === 'SENDING' && deliveryMode === 'at-most-once';
    // Placeholders are added in text order (MySQL and SQLite bind by position), and only when used.
    const status = hold
      ? sql.status('HELD')
      : sql.statusCase(
          `CASE WHEN ${attempts} >= ${params.add(maxAttempts)} THEN ${sql.status('FAILED')} ELSE ${sql.status('PENDING')} END`,
        );
    const reason = hold
      ? 'lease expired after the pre-send guard; delivery unknown (at-most-once: held for review)'
      : from === 'SENDING'
        ? 'lease expired after the pre-send guard; will be sent again (at-least-once)'
        : 'lease expired before the send';
    const set = [
      `${sql.col('status')} = ${status}`,
      `${sql.col('claimToken')} = NULL`,
      `${sql.col('leaseUntil')} = NULL`,
      `${sql.col('availableAt')} = ${sql.now('availableAt')}`,
      `${sql.col('updatedAt')} = ${sql.now('updatedAt')}`,
      from === 'SENDING' ? `${sql.col('possiblySent')} = ${sql.dialect.bool(true)}` : null,
      !sql.has('lastError')
        ? null
        : hold
          ? `${sql.col('lastError')} = ${params.add(reason)}`
          : `${sql.col('lastError')} = CASE WHEN ${attempts} >= ${params.add(maxAttempts)} THEN ${params.add(OUT_OF_ATTEMPTS)} ELSE ${params.add(reason)} END`,
    ]
      .filter(Boolean)
      .join(', ');
    const where = `${sql.col('status')} = ${sql.status(from)} AND ${sql.col('leaseUntil')} < ${sql.now('leaseUntil')}`;
    for (const row of await executor.recycle(sql, { set, params, where, limit: left })) {
      const id = String(row.id);
      const now = toStatus(row.status, sql.mapping, id);
      if (now === 'FAILED') out.failed.push(id);
      else if (now === 'HELD') out.held.push(id);
      else if (from === 'SENDING') out.requeuedPossiblySent.push(id);
      else out.requeued.push(id);
    }
  }
  return out;
}
