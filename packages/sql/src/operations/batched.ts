/**
 * Batched fenced transitions for the hot path: a window of claimed messages guarded in one
 * statement, a batch of acks in one statement. Each row is fenced on its own exactly as the single
 * transition (id, claim token, expected status), so a stale message in a batch is refused without
 * touching the others; refusals are explained with one more SELECT for the whole batch.
 *
 * - PostgreSQL: `UPDATE … FROM unnest($ids::text[], $tokens::text[])` — one statement text whatever
 *   the batch size, so it prepares once.
 * - SQLite: `UPDATE … WHERE (id, claim_token) IN (VALUES …) RETURNING`.
 * - MySQL/MariaDB: no RETURNING. Guard: update, then read back — SENDING under this token can only
 *   be this guard's doing. Ack clears the token, so it cannot be read back: a short transaction
 *   locks the rows (FOR UPDATE), checks their tokens and updates those that match.
 */
import type { FencedOutcome, GuardManyRequest, MessageState, MessageStatus } from '@org/msgqueue';
import type { Row } from '../client.js';
import { toNumber, toState } from '../rows.js';
import type { Table } from '../table.js';
import { join, type Sql, sql } from '../template.js';
import type { Db } from './db.js';
import { readStates } from './fenced.js';

type Ref = { id: string; token: string };

/** PROCESSING → SENDING for each message its claim still owns, with at least `minLeaseMs` of lease. */
export async function guardMany(db: Db, t: Table, { messages, minLeaseMs }: GuardManyRequest): Promise<FencedOutcome[]> {
  const set = sql`${t.col('status')} = ${t.status('SENDING')}, ${t.col('updatedAt')} = ${t.now('updatedAt')}`;
  const condition = (prefix: string) =>
    sql`${t.col('status', prefix)} = ${t.status('PROCESSING')} AND ${t.col('leaseUntil', prefix)} >= ${t.nowPlus('leaseUntil', minLeaseMs)}`;
  if (!db.dialect.returning) {
    await db.count(sql`UPDATE ${t.name} SET ${set} WHERE ${pairsIn(t, messages)} AND ${condition('')}`);
    const { states, now } = await readStates(db, t, ids(messages));
    return messages.map((m) => {
      const state = states.get(m.id) ?? null;
      return state?.status === 'SENDING' && state.claimToken === m.token ? { ok: true, record: state } : { ok: false, current: state, now };
    });
  }
  return returning(db, t, messages, set, condition);
}

/** SENDING or PROCESSING → SENT for each message its claim still owns, token and lease cleared. */
export async function ackMany(db: Db, t: Table, messages: readonly Ref[]): Promise<FencedOutcome[]> {
  const set = sql`${t.col('status')} = ${t.status('SENT')}, ${t.col('claimToken')} = NULL, ${t.col('leaseUntil')} = NULL,
    ${t.col('updatedAt')} = ${t.now('updatedAt')}`;
  const from: MessageStatus[] = ['PROCESSING', 'SENDING'];
  if (db.dialect.returning) return returning(db, t, messages, set, (prefix) => t.statusIn(from, prefix));
  return db.transaction(async (tx) => {
    const rows = await tx.rows(
      sql`SELECT ${t.stateList()}, ${t.nowMs()} FROM ${t.name} WHERE ${t.col('id')} IN (${join(ids(messages).map((id) => sql`${id}`))}) FOR UPDATE`,
    );
    const current = new Map(rows.map((r) => [String(r.id), toState(r, t.mapping)]));
    const now = new Date(toNumber(rows[0]?.msgqueue_now ?? Date.now()));
    const owned = messages.filter((m) => {
      const s = current.get(m.id);
      return s !== undefined && s.claimToken === m.token && from.includes(s.status);
    });
    if (owned.length > 0) {
      await tx.count(sql`UPDATE ${t.name} SET ${set} WHERE ${t.col('id')} IN (${join(owned.map((m) => sql`${m.id}`))})`);
    }
    const acked = new Set(owned.map((m) => m.id));
    return messages.map((m): FencedOutcome => {
      const state = current.get(m.id) ?? null;
      if (state && acked.has(m.id)) return { ok: true, record: { ...state, status: 'SENT', claimToken: null, leaseUntil: null } };
      return { ok: false, current: state, now };
    });
  });
}

/** With RETURNING: one UPDATE … RETURNING for the batch (the pairs as two array parameters where arrays bind), then one SELECT for its refusals. */
async function returning(
  db: Db,
  t: Table,
  messages: readonly Ref[],
  set: Sql,
  condition: (prefix: string) => Sql,
): Promise<FencedOutcome[]> {
  let rows: Row[];
  if (db.dialect.arrayParameters) {
    rows = await db.rows(
      sql`UPDATE ${t.name} AS m SET ${set}
      FROM unnest(CAST(${ids(messages)} AS text[]), CAST(${messages.map((m) => m.token)} AS text[])) AS r(id, token)
      WHERE m.${t.col('id')} = r.id AND m.${t.col('claimToken')} = r.token AND ${condition('m.')}
      RETURNING ${t.stateList('m.')}`,
      true,
    );
  } else {
    rows = await db.rows(sql`UPDATE ${t.name} SET ${set} WHERE ${pairsIn(t, messages)} AND ${condition('')} RETURNING ${t.stateList()}`);
  }
  const done = new Map<string, MessageState>(rows.map((r) => [String(r.id), toState(r, t.mapping)]));
  const refused = messages.filter((m) => !done.has(m.id));
  const explained = refused.length > 0 ? await readStates(db, t, ids(refused)) : null;
  return messages.map((m): FencedOutcome => {
    const state = done.get(m.id);
    if (state) return { ok: true, record: state };
    return { ok: false, current: explained!.states.get(m.id) ?? null, now: explained!.now };
  });
}

/** `(id, claim_token) IN ((?, ?), …)`: each message matched on its own id and token. */
function pairsIn(t: Table, messages: readonly Ref[]): Sql {
  return sql`(${t.col('id')}, ${t.col('claimToken')}) IN (${join(messages.map((m) => sql`(${m.id}, ${m.token})`))})`;
}

const ids = (messages: readonly Ref[]) => messages.map((m) => m.id);
