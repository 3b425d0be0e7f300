/**
 * Claim: up to `limit` due PENDING rows become PROCESSING under one token, leased from the
 * database's now, attempt counted — never more than `limit`, never a row to two claimers. With
 * `guard`, they become SENDING instead: the caller starts every send at once, and the lease just
 * set is the guard's margin and more, so the claim is the guard too.
 *
 * - PostgreSQL: one statement. The candidates are picked in a MATERIALIZED CTE with FOR UPDATE SKIP
 *   LOCKED, so the subquery runs once and concurrent claimers skip each other's rows instead of
 *   waiting (`WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` may be re-evaluated and lock
 *   more than n). The acks of the last batch can ride in the same statement (`ackAndClaim`): one
 *   more UPDATE in the WITH, on the statement's snapshot, touching only rows the claim cannot pick.
 * - MySQL/MariaDB: no UPDATE … RETURNING, so a few-millisecond transaction: lock the candidates with
 *   FOR UPDATE SKIP LOCKED, update them re-checking PENDING, read them back by token. The group rule's
 *   subquery is a consistent (non-locking) read: InnoDB only locks the outer candidates, so rows
 *   another claimer has locked still count as holding their group. Needs the (status, priority,
 *   available_at, id) index: InnoDB locks what it scans.
 * - SQLite: one writer at a time, so one autocommit UPDATE … WHERE id IN (SELECT … LIMIT n) RETURNING.
 *
 * Gates (operations/gates.ts): the candidates pass the queue's gate, and grouped ones their group
 * key's, read in the same statement (PostgreSQL's `FOR UPDATE OF c` and InnoDB lock only the
 * candidates; the gates are a plain read).
 *
 * `groups: 'none'` claims only rows without a group key, with no group probe: used while no grouped
 * row has been seen in the table (see `GroupSight`), so a grouped row is never claimed without its
 * group's rule.
 */
import type { ClaimRequest, FencedOutcome, MessageState } from '@org/msgqueue';
import type { Row } from '../client.js';
import { unreachable } from '../dialects/dialect.js';
import { toAcked, toNumber } from '../rows.js';
import { ACK_NAMES, CLAIM_NAMES, type Table } from '../table.js';
import { join, type Sql, sql } from '../template.js';
import { ackStep, outcomes, pairsUpdate } from './batched.js';
import type { Db } from './db.js';
import { readStates } from './fenced.js';
import { gatesOpen } from './gates.js';
import type { GroupRule, GroupSight } from './group-sight.js';

/** The SET of a claim: PROCESSING (or SENDING, with `guard`) under the token, the lease from the database's now, the attempt counted. */
function claimSet(t: Table, { token, leaseMs, guard }: ClaimRequest): Sql {
  return sql`${t.col('status')} = ${t.status(guard ? 'SENDING' : 'PROCESSING')}, ${t.col('claimToken')} = ${token},
    ${t.col('leaseUntil')} = ${t.nowPlus('leaseUntil', leaseMs)}, ${t.col('attempts')} = ${t.col('attempts')} + 1,
    ${t.col('updatedAt')} = ${t.now('updatedAt')}`;
}

/** The ids a claim may take (rows aliased `c`), in claim order, at most `limit`. */
function candidates(t: Table, request: ClaimRequest, groups: GroupRule): Sql {
  const rule = groups === 'none' && t.has('groupKey') ? sql`c.${t.col('groupKey')} IS NULL` : t.groupFree(request.groupPolicy);
  const gates = gatesOpen(t, request.queue, groups !== 'none');
  return sql`SELECT c.${t.col('id')} AS ${t.alias('id')} FROM ${t.name} c
    WHERE ${t.inQueue(request.queue, 'c.')} AND ${t.duePending('c.')} AND ${rule}${gates ? sql` AND ${gates}` : sql``}
    ORDER BY ${t.claimOrder('c.')} LIMIT ${request.limit}`;
}

/** PostgreSQL's claim: pick, then stamp the picked rows, answering them. */
function pgClaim(t: Table, request: ClaimRequest, groups: GroupRule, returning: Sql): Sql {
  return sql`picked AS MATERIALIZED (${candidates(t, request, groups)} FOR UPDATE OF c SKIP LOCKED),
    claimed AS (UPDATE ${t.name} AS m SET ${claimSet(t, request)} FROM picked WHERE m.${t.col('id')} = picked.${t.alias('id')}
    RETURNING ${returning})`;
}

/** A claim under the group rule `sight` allows (see {@link GroupSight}). */
export async function claimSeen(db: Db, t: Table, request: ClaimRequest, sight: GroupSight): Promise<Row[]> {
  const groups = await sight.rule(db, t);
  return topUp(db, t, request, sight, groups, await claim(db, t, request, groups));
}

/** {@link ackAndClaim} under the group rule `sight` allows. */
export async function ackAndClaimSeen(
  db: Db,
  t: Table,
  acks: readonly { id: string; token: string }[],
  request: ClaimRequest,
  sight: GroupSight,
): Promise<{ acks: FencedOutcome[]; rows: Row[] }> {
  const groups = await sight.rule(db, t);
  const out = await ackAndClaim(db, t, acks, request, groups);
  return { acks: out.acks, rows: await topUp(db, t, request, sight, groups, out.rows) };
}

/** A claim without the probe that came back short looks again, and claims the grouped rows under their rule. */
async function topUp(db: Db, t: Table, request: ClaimRequest, sight: GroupSight, groups: GroupRule, rows: Row[]): Promise<Row[]> {
  if (groups === 'probe' || rows.length >= request.limit || !(await sight.look(db, t))) return rows;
  return rows.concat(await claim(db, t, { ...request, limit: request.limit - rows.length }, 'probe'));
}

async function claim(db: Db, t: Table, request: ClaimRequest, groups: GroupRule): Promise<Row[]> {
  const name = db.dialect.name;
  switch (name) {
    case 'postgresql':
      return db.rows(sql`WITH ${pgClaim(t, request, groups, t.claimList('m.'))} SELECT * FROM claimed`, true);
    case 'sqlite':
      return db.rows(
        sql`UPDATE ${t.name} SET ${claimSet(t, request)}
        WHERE ${t.col('id')} IN (${candidates(t, request, groups)}) AND ${t.col('status')} = ${t.status('PENDING')}
        RETURNING ${t.claimList('')}`,
        true,
      );
    case 'mysql':
      return db.transaction(async (tx) => {
        const picked = await tx.rows(sql`${candidates(t, request, groups)} FOR UPDATE SKIP LOCKED`);
        if (picked.length === 0) return [];
        const ids = sql`${t.col('id')} IN (${join(picked.map((r) => sql`${r.id}`))})`;
        await tx.count(sql`UPDATE ${t.name} SET ${claimSet(t, request)} WHERE ${ids} AND ${t.col('status')} = ${t.status('PENDING')}`);
        return tx.rows(sql`SELECT ${t.claimList('')} FROM ${t.name} WHERE ${ids} AND ${t.col('claimToken')} = ${request.token}`);
      });
    default:
      return unreachable(name);
  }
}

/**
 * The acks of the last batch and the next claim in one statement (data-modifying `WITH`, the
 * dialect's `writableCte`): rows tagged by the UPDATE that wrote them, the acks' with the claim's
 * columns they lack left NULL; then one SELECT for the acks refused.
 */
async function ackAndClaim(
  db: Db,
  t: Table,
  acks: readonly { id: string; token: string }[],
  request: ClaimRequest,
  groups: GroupRule,
): Promise<{ acks: FencedOutcome[]; rows: Row[] }> {
  const tag = t.alias('msgqueue_ack');
  // The acks answer a few columns of their state; the claim's other columns are NULL on their rows.
  const padded = join(CLAIM_NAMES.map((n) => (ACK_NAMES.includes(n) ? sql`${t.alias(n)}` : sql`NULL`)));
  const all = await db.rows(
    sql`WITH acked AS (${pairsUpdate(t, acks, ackStep(t))} RETURNING ${t.ackList('m.')}),
      ${pgClaim(t, request, groups, t.claimList('m.'))}
      SELECT 0 AS ${tag}, claimed.* FROM claimed UNION ALL SELECT 1, ${padded} FROM acked`,
    true,
  );
  const rows: Row[] = [];
  const acked = new Map<string, MessageState>();
  for (const r of all) {
    if (toNumber(r.msgqueue_ack) === 1) acked.set(String(r.id), toAcked(r));
    else rows.push(r);
  }
  const refused = acks.filter((m) => !acked.has(m.id)).map((m) => m.id);
  const explained = refused.length > 0 ? await readStates(db, t, refused) : null;
  return { acks: outcomes(acks, acked, explained), rows };
}
