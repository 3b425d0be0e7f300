/**
 * The compare-and-set UPDATEs behind guard, settle (ack, fail, release), extend and retry: one
 * statement each, matching on id, claim token and expected status, so a worker that lost its claim
 * changes nothing. PostgreSQL and SQLite answer with `UPDATE … RETURNING`; MySQL/MariaDB update,
 * then read the row back. A refusal costs one more statement: the row and the database's time in
 * one SELECT, so the core can say why.
 */
import type { ExtendRequest, FencedOutcome, GuardRequest, MessageState, MessageStatus, RetryRequest, SettleRequest } from '@org/msgqueue';
import { type RawRow, toAcked, toGuarded, toNumber, toState } from '../rows.js';
import type { Table } from '../table.js';
import { join, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

/** `id = ? AND claim_token = ? AND status IN (…)`. */
function ownedBy(t: Table, id: string, token: string, from: readonly MessageStatus[]): Sql {
  return sql`${t.col('id')} = ${id} AND ${t.col('claimToken')} = ${token} AND ${t.statusIn(from)}`;
}

/** PROCESSING → SENDING while the claim owns the row with at least `minLeaseMs` left. */
export function guard(db: Db, t: Table, { id, token, minLeaseMs }: GuardRequest): Promise<FencedOutcome> {
  return cas(db, t, id, {
    set: sql`${t.col('status')} = ${t.status('SENDING')}, ${t.col('updatedAt')} = ${t.now('updatedAt')}`,
    where: sql`${ownedBy(t, id, token, ['PROCESSING'])} AND ${t.col('leaseUntil')} >= ${t.nowPlus('leaseUntil', minLeaseMs)}`,
    answer: { list: t.guardList(), read: (row) => toGuarded(row, token) },
  });
}

/** End or pause a claim: token and lease cleared, the new status, and what comes with it. */
export function settle(db: Db, t: Table, r: SettleRequest): Promise<FencedOutcome> {
  const attempts = t.col('attempts');
  const set = join(
    [
      sql`${t.col('status')} = ${t.status(r.to)}`,
      sql`${t.col('claimToken')} = NULL`,
      sql`${t.col('leaseUntil')} = NULL`,
      sql`${t.col('updatedAt')} = ${t.now('updatedAt')}`,
      r.to === 'PENDING' ? sql`${t.col('availableAt')} = ${t.nowPlus('availableAt', r.delayMs)}` : null,
      r.error !== null && t.has('lastError') ? sql`${t.col('lastError')} = ${fitText(r.error, t.schema.widths.lastError)}` : null,
      r.refundAttempt ? sql`${attempts} = CASE WHEN ${attempts} > 0 THEN ${attempts} - 1 ELSE 0 END` : null,
      r.possiblySent ? sql`${t.col('possiblySent')} = ${t.dialect.bool(true)}` : null,
    ].filter((f): f is Sql => f !== null),
  );
  return cas(db, t, r.id, {
    set,
    where: ownedBy(t, r.id, r.token, r.from),
    answer: { list: t.ackList(''), read: (row) => toAcked(row, r.to) },
  });
}

/** Push the lease of an owned row to now + `leaseMs`. */
export function extend(db: Db, t: Table, { id, token, leaseMs }: ExtendRequest): Promise<FencedOutcome> {
  return cas(db, t, id, {
    set: sql`${t.col('leaseUntil')} = ${t.nowPlus('leaseUntil', leaseMs)}`,
    where: ownedBy(t, id, token, ['PROCESSING', 'SENDING']),
    // The one transition that keeps the status: where a client counts changed rows (MySQL without
    // CLIENT_FOUND_ROWS), an extend within the same millisecond changes nothing but still matched.
    heldBy: token,
  });
}

/** An operator's retry: FAILED or HELD → PENDING now, attempts reset. */
export function retry(db: Db, t: Table, { queue, id, from }: RetryRequest): Promise<FencedOutcome> {
  return cas(db, t, id, {
    set: sql`${t.col('status')} = ${t.status('PENDING')}, ${t.col('attempts')} = 0, ${t.col('claimToken')} = NULL,
      ${t.col('leaseUntil')} = NULL, ${t.col('availableAt')} = ${t.now('availableAt')}, ${t.col('updatedAt')} = ${t.now('updatedAt')}`,
    where: sql`${t.col('id')} = ${id} AND ${t.inQueue(queue)} AND ${t.statusIn(from)}`,
    queue,
  });
}

interface Cas {
  set: Sql;
  where: Sql;
  /** For a transition that keeps the status: the token that proves, on read-back, the row matched. */
  heldBy?: string;
  /** Only this queue's row counts (retry): another queue's message reads as not found. */
  queue?: string;
  /**
   * Where the transition fixes status, token and lease, RETURNING reads only the rest (fewer
   * columns to compute, send and parse on the hot path); the whole state otherwise.
   */
  answer?: { list: Sql; read: (row: RawRow) => MessageState };
}

async function cas(db: Db, t: Table, id: string, { set, where, heldBy, queue, answer }: Cas): Promise<FencedOutcome> {
  if (db.dialect.returning) {
    const [row] = await db.rows(sql`UPDATE ${t.name} SET ${set} WHERE ${where} RETURNING ${answer?.list ?? t.stateList()}`, true);
    if (row) return { ok: true, record: answer ? answer.read(row) : toState(row, t.mapping) };
    return refused(db, t, id, queue);
  }
  const changed = await db.count(sql`UPDATE ${t.name} SET ${set} WHERE ${where}`, true);
  const after = await readWithNow(db, t, id, queue);
  const matched = changed > 0 || (heldBy !== undefined && after.record?.claimToken === heldBy);
  if (matched && after.record) return { ok: true, record: after.record };
  return { ok: false, current: after.record, now: after.now };
}

async function refused(db: Db, t: Table, id: string, queue?: string): Promise<FencedOutcome> {
  const { record, now } = await readWithNow(db, t, id, queue);
  return { ok: false, current: record, now };
}

/** The row's state (or null) and the database's time, in one SELECT. */
async function readWithNow(db: Db, t: Table, id: string, queue?: string) {
  const { states, now } = await readStates(db, t, [id], queue);
  return { record: states.get(id) ?? null, now };
}

/**
 * The states of some rows (absent ids are missing from the map) and the database's time, in one
 * SELECT: the refusals of a batch are explained with one more statement, not one per message.
 */
export async function readStates(db: Db, t: Table, ids: readonly string[], queue?: string) {
  const scope = queue === undefined ? sql`` : sql` AND ${t.inQueue(queue)}`;
  const rows = await db.rows(
    sql`SELECT ${t.stateList()}, ${t.nowMs()}
        FROM (SELECT 1 AS ${t.alias('msgqueue_one')}) one LEFT JOIN ${t.name} ON ${t.col('id')} IN (${join(ids.map((id) => sql`${id}`))})${scope}`,
    ids.length === 1, // the text varies with the number of ids: only the single read is prepared
  );
  const states = new Map(rows.filter((r) => r.id !== null && r.id !== undefined).map((r) => [String(r.id), toState(r, t.mapping)]));
  return { states, now: new Date(toNumber(rows[0]?.msgqueue_now)) };
}

/** Cut `text` to what a column of `width` characters holds (code points, as databases count them). */
export function fitText(text: string, width: number | null): string {
  if (width === null) return text;
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join('')}…`;
}
