/**
 * Recycling: one step per kind of row without a live claim — expired PROCESSING, expired SENDING,
 * and rows in flight without a lease (left by other code) once `orphanGraceMs` old — so each moved
 * row's outcome follows from its new status. Every UPDATE re-checks status and expiry itself
 * (River #1302): a row acked a moment ago is never overwritten.
 *
 * PostgreSQL: one statement per step, rows picked with FOR UPDATE SKIP LOCKED in a MATERIALIZED CTE.
 * SQLite: one autocommit UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING per step.
 * MySQL/MariaDB: a short transaction per step — lock, update re-checking, read back.
 */
import { RECYCLE_REASONS as REASON, type RecycleOutcome, type RecycleRequest } from '@org/msgqueue';
import type { Row } from '../client.js';
import { unreachable } from '../dialects/dialect.js';
import { toStatus } from '../rows.js';
import type { Table } from '../table.js';
import { join, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

type Step = 'PROCESSING' | 'SENDING' | 'ORPHANED';

export async function recycle(db: Db, t: Table, request: RecycleRequest): Promise<RecycleOutcome> {
  const out: RecycleOutcome = { released: [], releasedPossiblySent: [], held: [], failed: [], orphans: [] };
  for (const step of ['PROCESSING', 'SENDING', 'ORPHANED'] as const satisfies readonly Step[]) {
    const left = request.limit - out.released.length - out.releasedPossiblySent.length - out.held.length - out.failed.length;
    if (left <= 0) break;
    // A row without a lease was left by other code: it may have been sent, like an expired SENDING row.
    const maybeSent = step !== 'PROCESSING';
    for (const row of await move(
      db,
      t,
      stepSet(t, step, request),
      stepWhere(t, step, request),
      step === 'ORPHANED' ? 'updatedAt' : 'leaseUntil',
      left,
    )) {
      const id = String(row.id);
      const now = toStatus(row.status, t.mapping, id);
      if (step === 'ORPHANED') out.orphans.push(id);
      if (now === 'FAILED') out.failed.push(id);
      else if (now === 'HELD') out.held.push(id);
      else if (maybeSent) out.releasedPossiblySent.push(id);
      else out.released.push(id);
    }
  }
  return out;
}

/** Which rows a step takes; re-checked in the UPDATE itself. */
function stepWhere(t: Table, step: Step, { queue, orphanGraceMs }: RecycleRequest): Sql {
  if (step === 'ORPHANED') {
    return sql`${t.inQueue(queue)} AND ${t.statusIn(['PROCESSING', 'SENDING'])} AND ${t.col('leaseUntil')} IS NULL AND ${t.col('updatedAt')} < ${t.nowPlus('updatedAt', -orphanGraceMs)}`;
  }
  return sql`${t.inQueue(queue)} AND ${t.col('status')} = ${t.status(step)} AND ${t.col('leaseUntil')} < ${t.now('leaseUntil')}`;
}

/** Where a step's rows go: FAILED when out of attempts, else PENDING (flagged when maybe sent), or HELD (at-most-once, maybe sent). */
function stepSet(t: Table, step: Step, { maxAttempts, deliveryMode }: RecycleRequest): Sql {
  const attempts = t.col('attempts');
  const maybeSent = step !== 'PROCESSING';
  const hold = maybeSent && deliveryMode === 'at-most-once';
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
  const outOfAttempts = sql`${attempts} >= ${maxAttempts}`;
  const status = hold
    ? t.status('HELD')
    : t.statusCase(sql`CASE WHEN ${outOfAttempts} THEN ${t.status('FAILED')} ELSE ${t.status('PENDING')} END`);
  return join(
    [
      sql`${t.col('status')} = ${status}`,
      sql`${t.col('claimToken')} = NULL`,
      sql`${t.col('leaseUntil')} = NULL`,
      sql`${t.col('availableAt')} = ${t.now('availableAt')}`,
      sql`${t.col('updatedAt')} = ${t.now('updatedAt')}`,
      maybeSent ? sql`${t.col('possiblySent')} = ${t.dialect.bool(true)}` : null,
      !t.has('lastError')
        ? null
        : hold
          ? sql`${t.col('lastError')} = ${reason}`
          : sql`${t.col('lastError')} = CASE WHEN ${outOfAttempts} THEN ${REASON.outOfAttempts} ELSE ${reason} END`,
    ].filter((f): f is Sql => f !== null),
  );
}

/** Move up to `limit` rows matching `where` (oldest `order` first); answers `{ id, status }` of each. */
async function move(db: Db, t: Table, set: Sql, where: Sql, order: 'updatedAt' | 'leaseUntil', limit: number): Promise<Row[]> {
  const id = t.col('id');
  const pick = sql`SELECT ${id} FROM ${t.name} WHERE ${where} ORDER BY ${t.col(order)} LIMIT ${limit}`;
  const idAndStatus = (prefix: string) =>
    sql`${t.col('id', prefix)} AS ${t.alias('id')}, ${t.col('status', prefix)} AS ${t.alias('status')}`;
  const name = db.dialect.name;
  switch (name) {
    case 'postgresql':
      return db.rows(
        sql`WITH picked AS MATERIALIZED (${pick} FOR UPDATE SKIP LOCKED)
        UPDATE ${t.name} AS m SET ${set} FROM picked WHERE m.${id} = picked.${id} AND ${where}
        RETURNING ${idAndStatus('m.')}`,
        true,
      );
    case 'sqlite':
      return db.rows(sql`UPDATE ${t.name} SET ${set} WHERE ${id} IN (${pick}) AND ${where} RETURNING ${idAndStatus('')}`, true);
    case 'mysql':
      return db.transaction(async (tx) => {
        const picked = await tx.rows(sql`${pick} FOR UPDATE SKIP LOCKED`);
        if (picked.length === 0) return [];
        const ids = sql`${id} IN (${join(picked.map((r) => sql`${r[t.mapping.columns.id] ?? r.id}`))})`;
        await tx.count(sql`UPDATE ${t.name} SET ${set} WHERE ${ids} AND ${where}`);
        return tx.rows(sql`SELECT ${idAndStatus('')} FROM ${t.name} WHERE ${ids}`);
      });
    default:
      return unreachable(name);
  }
}
