/**
 * Batched fenced transitions for the hot path: a window of claimed messages guarded in one
 * statement, a batch of acks in one statement. Each row is fenced on its own exactly as the single
 * transition (id, claim token, expected status), so a stale message in a batch is refused without
 * touching the others; refusals are explained with one more SELECT for the whole batch.
 *
 * - PostgreSQL: `UPDATE … FROM unnest($ids::text[], $tokens::text[])` — one statement text whatever
 *   the batch size, so it prepares once.
 * - SQLite: `UPDATE … WHERE (id, claim_token) IN (VALUES …) RETURNING`.
 * - Acks and the next guard together (PostgreSQL): two UPDATEs in one `WITH`, both on the
 *   statement's snapshot; they never share a row (an acked message is past its guard).
 * - MySQL/MariaDB: no RETURNING. Guard: update, then read back — SENDING under this token can only
 *   be this guard's doing. Ack clears the token, so it cannot be read back: a short transaction
 *   locks the rows (FOR UPDATE), checks their tokens and updates those that match.
 */
import type { AckAndGuardOutcome, AckAndGuardRequest, FencedOutcome, GuardManyRequest, MessageState, MessageStatus } from '@org/msgqueue';
import type { Row } from '../client.js';
import { toNumber, toState } from '../rows.js';
import type { Table } from '../table.js';
import { join, type Sql, sql } from '../template.js';
import type { Db } from './db.js';
import { readStates } from './fenced.js';

type Ref = { id: string; token: string };

/** The SET and per-row condition of a guard: PROCESSING → SENDING with at least `minLeaseMs` of lease. */
function guardStep(t: Table, minLeaseMs: number): Step {
  return {
    set: sql`${t.col('status')} = ${t.status('SENDING')}, ${t.col('updatedAt')} = ${t.now('updatedAt')}`,
    condition: (prefix) =>
      sql`${t.col('status', prefix)} = ${t.status('PROCESSING')} AND ${t.col('leaseUntil', prefix)} >= ${t.nowPlus('leaseUntil', minLeaseMs)}`,
  };
}

const ACK_FROM: MessageStatus[] = ['PROCESSING', 'SENDING'];

/** The SET and per-row condition of an ack: PROCESSING or SENDING → SENT, token and lease cleared. */
export function ackStep(t: Table): Step {
  return {
    set: sql`${t.col('status')} = ${t.status('SENT')}, ${t.col('claimToken')} = NULL, ${t.col('leaseUntil')} = NULL,
    ${t.col('updatedAt')} = ${t.now('updatedAt')}`,
    condition: (prefix) => t.statusIn(ACK_FROM, prefix),
  };
}

/** PROCESSING → SENDING for each message its claim still owns, with at least `minLeaseMs` of lease. */
export async function guardMany(db: Db, t: Table, { messages, minLeaseMs }: GuardManyRequest): Promise<FencedOutcome[]> {
  const { set, condition } = guardStep(t, minLeaseMs);
  if (!db.dialect.returning) {
    await db.count(sql`UPDATE ${t.name} SET ${set} WHERE ${pairsIn(t, messages)} AND ${condition('')}`);
    const { states, now } = await readStates(db, t, ids(messages));
    return messages.map((m) => {
      const state = states.get(m.id) ?? null;
      return state?.status === 'SENDING' && state.claimToken === m.token ? { ok: true, record: state } : { ok: false, current: state, now };
    });
  }
  return returning(db, t, messages, { set, condition });
}

/** SENDING or PROCESSING → SENT for each message its claim still owns, token and lease cleared. */
export async function ackMany(db: Db, t: Table, messages: readonly Ref[]): Promise<FencedOutcome[]> {
  const step = ackStep(t);
  if (db.dialect.returning) return returning(db, t, messages, step);
  return db.transaction(async (tx) => {
    const rows = await tx.rows(
      sql`SELECT ${t.stateList()}, ${t.nowMs()} FROM ${t.name} WHERE ${t.col('id')} IN (${join(ids(messages).map((id) => sql`${id}`))}) FOR UPDATE`,
    );
    const current = new Map(rows.map((r) => [String(r.id), toState(r, t.mapping)]));
    const now = new Date(toNumber(rows[0]?.msgqueue_now ?? Date.now()));
    const owned = messages.filter((m) => {
      const s = current.get(m.id);
      return s !== undefined && s.claimToken === m.token && ACK_FROM.includes(s.status);
    });
    if (owned.length > 0) {
      await tx.count(sql`UPDATE ${t.name} SET ${step.set} WHERE ${t.col('id')} IN (${join(owned.map((m) => sql`${m.id}`))})`);
    }
    const acked = new Set(owned.map((m) => m.id));
    return messages.map((m): FencedOutcome => {
      const state = current.get(m.id) ?? null;
      if (state && acked.has(m.id)) return { ok: true, record: { ...state, status: 'SENT', claimToken: null, leaseUntil: null } };
      return { ok: false, current: state, now };
    });
  });
}

/**
 * The acks of finished sends and the guard of the next window in one statement (data-modifying
 * `WITH`: the dialect's `writableCte`) whose rows say which UPDATE wrote them, then one SELECT for
 * the refusals of both.
 */
export async function ackAndGuard(db: Db, t: Table, { acks, guard }: AckAndGuardRequest): Promise<AckAndGuardOutcome> {
  if (acks.length === 0 || guard.messages.length === 0) {
    return {
      acks: acks.length > 0 ? await ackMany(db, t, acks) : [],
      guards: guard.messages.length > 0 ? await guardMany(db, t, guard) : [],
    };
  }
  const ack = ackStep(t);
  const grd = guardStep(t, guard.minLeaseMs);
  const rows = await db.rows(
    sql`WITH a AS (${pairsUpdate(t, acks, ack)} RETURNING 1 AS ${t.alias('msgqueue_ack')}, ${t.stateList('m.')}),
      g AS (${pairsUpdate(t, guard.messages, grd)} RETURNING 0 AS ${t.alias('msgqueue_ack')}, ${t.stateList('m.')})
      SELECT * FROM a UNION ALL SELECT * FROM g`,
    true,
  );
  const acked = new Map<string, MessageState>();
  const guarded = new Map<string, MessageState>();
  for (const r of rows) (toNumber(r.msgqueue_ack) === 1 ? acked : guarded).set(String(r.id), toState(r, t.mapping));
  const refused = [...acks.filter((m) => !acked.has(m.id)), ...guard.messages.filter((m) => !guarded.has(m.id))];
  const explained = refused.length > 0 ? await readStates(db, t, ids(refused)) : null;
  return { acks: outcomes(acks, acked, explained), guards: outcomes(guard.messages, guarded, explained) };
}

/** How a batched transition writes: its SET, and what each matched row must also be. */
export interface Step {
  set: Sql;
  condition: (prefix: string) => Sql;
}

/** `UPDATE … AS m … FROM unnest(ids, tokens)`: each message matched on its own id and token (array parameters). */
export function pairsUpdate(t: Table, messages: readonly Ref[], { set, condition }: Step): Sql {
  return sql`UPDATE ${t.name} AS m SET ${set}
      FROM unnest(CAST(${ids(messages)} AS text[]), CAST(${messages.map((m) => m.token)} AS text[])) AS r(id, token)
      WHERE m.${t.col('id')} = r.id AND m.${t.col('claimToken')} = r.token AND ${condition('m.')}`;
}

/** With RETURNING: one UPDATE … RETURNING for the batch (the pairs as two array parameters where arrays bind), then one SELECT for its refusals. */
async function returning(db: Db, t: Table, messages: readonly Ref[], step: Step): Promise<FencedOutcome[]> {
  let rows: Row[];
  if (db.dialect.arrayParameters) {
    rows = await db.rows(sql`${pairsUpdate(t, messages, step)} RETURNING ${t.stateList('m.')}`, true);
  } else {
    rows = await db.rows(
      sql`UPDATE ${t.name} SET ${step.set} WHERE ${pairsIn(t, messages)} AND ${step.condition('')} RETURNING ${t.stateList()}`,
    );
  }
  const done = new Map<string, MessageState>(rows.map((r) => [String(r.id), toState(r, t.mapping)]));
  const refused = messages.filter((m) => !done.has(m.id));
  const explained = refused.length > 0 ? await readStates(db, t, ids(refused)) : null;
  return outcomes(messages, done, explained);
}

/** Each message's outcome: its written state, else what the refusals' read found. */
export function outcomes(
  messages: readonly Ref[],
  done: ReadonlyMap<string, MessageState>,
  explained: { states: ReadonlyMap<string, MessageState>; now: Date } | null,
): FencedOutcome[] {
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
