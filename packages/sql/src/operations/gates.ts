/**
 * Gates: flow control every process shares — a paused queue (`gate_key` '') or group key, until resumed or for a while —
 * in the gates table beside the messages. A claim reads it in its own statement (by primary key), so
 * a pause holds from the next claim on, in every process; `setGate` is one upsert, and a gate that
 * ends open is deleted so the table holds only closed ones.
 *
 * - PostgreSQL and SQLite: `INSERT … ON CONFLICT DO UPDATE … RETURNING`.
 * - MySQL/MariaDB: `INSERT … ON DUPLICATE KEY UPDATE`, then the row read back, in one transaction.
 */
import { type Gate, type GateChange, type GatesSnapshot, MsgQueueError } from '@org/msgqueue';
import type { Row } from '../client.js';
import { unreachable } from '../dialects/dialect.js';
import { optionalText, toBool, toDate, toNumber } from '../rows.js';
import type { Table } from '../table.js';
import { raw, type Sql, sql } from '../template.js';
import type { Db } from './db.js';

/** '' is the queue's own gate (a group key is never empty). */
const QUEUE_GATE = '';

/**
 * Rate-limit slots share the table (operations/rate-slots.ts): their `gate_key` starts with this
 * control character, which no group key has, so gate reads pass them by.
 */
export const SLOT_MARK = '\u0001';

/** The gates table of a table's schema, and the fragments every statement on it shares. */
export interface GateTable {
  /** The quoted table name. */
  g: Sql;
  gates: NonNullable<Table['schema']['gates']>;
  /** A gate row aliased `g` is closed: paused, or paused until past the database's now. */
  closed: Sql;
}

/** Built once per table (a claim reads the gates in every statement). */
const built = new WeakMap<Table, GateTable | null>();

/** The gates table, or null when the mapping has none or it does not exist (yet). */
function gateTable(t: Table): GateTable | null {
  let found = built.get(t);
  if (found === undefined) {
    const gates = t.schema.gates;
    const d = t.dialect;
    found =
      gates && t.mapping.gateTable
        ? {
            g: raw(d.quote(t.mapping.gateTable)),
            gates,
            closed: sql`(g.paused = ${d.bool(true)} OR g.paused_until > ${d.now(gates.pausedUntil)})`,
          }
        : null;
    built.set(t, found);
  }
  return found;
}

/**
 * The claim's gate check on candidate rows aliased `c`: nothing while the queue's gate is closed,
 * and (`grouped`) no row whose group key's gate is closed. Null without a gates table.
 */
export function gatesOpen(t: Table, queue: string, grouped: boolean): Sql | null {
  const gt = gateTable(t);
  if (!gt) return null;
  const { g, closed } = gt;
  const queueOpen = sql`NOT EXISTS (SELECT 1 FROM ${g} g WHERE g.queue = ${queue} AND g.gate_key = ${QUEUE_GATE} AND ${closed})`;
  if (!grouped || !t.has('groupKey')) return queueOpen;
  const k = t.col('groupKey');
  return sql`${queueOpen} AND (c.${k} IS NULL OR NOT EXISTS (SELECT 1 FROM ${g} g WHERE g.queue = ${queue} AND g.gate_key = c.${k} AND ${closed}))`;
}

/** The gates table for a change to it (or to its rate-limit slots), or the error that says why there is none. */
export function requireGateTable(t: Table, operation: string): GateTable {
  const gt = gateTable(t);
  if (!gt) {
    const name = t.mapping.gateTable;
    throw new MsgQueueError(
      name ? 'SCHEMA_MISMATCH' : 'UNSUPPORTED',
      name
        ? `${operation}: the gates table ${name} does not exist. Create it with sql/${t.dialect.name}.gates.sql (gateTableSql('${t.dialect.name}') from @org/msgqueue-sql), then restart the app's processes so their claims read it.`
        : `${operation}: this adapter was created with gateTable: false, so no process would see a pause.`,
      { field: 'options.gateTable' },
    );
  }
  return gt;
}

/** The gate's columns, times as epoch ms, and the database's now. */
function gateList(t: Table, gates: NonNullable<Table['schema']['gates']>): Sql {
  const d = t.dialect;
  return sql`queue, gate_key, paused, ${d.epochMs(raw('paused_until'), gates.pausedUntil)} AS ${t.alias('pausedUntil')}, note,
    ${d.epochMs(raw('updated_at'), gates.updatedAt)} AS ${t.alias('updatedAt')}, ${t.nowMs()}`;
}

function toGate(row: Row): Gate {
  const key = String(row.gate_key ?? '');
  return {
    queue: String(row.queue),
    key: key === QUEUE_GATE ? null : key,
    paused: toBool(row.paused),
    pausedUntil: toDate(row.pausedUntil),
    note: optionalText(row.note),
    updatedAt: toDate(row.updatedAt)!,
  };
}

const isOpen = (gate: Gate, now: number) => !gate.paused && (gate.pausedUntil === null || gate.pausedUntil.getTime() <= now);

/** One change to one gate; answers it as it now is. */
export async function setGate(db: Db, t: Table, change: GateChange): Promise<Gate> {
  const { g, gates } = requireGateTable(t, change.paused === true ? 'pause' : change.paused === false ? 'resume' : 'pauseFor');
  const d = db.dialect;
  const key = change.key ?? QUEUE_GATE;
  const now = d.now(gates.updatedAt);
  const until = change.pauseForMs === undefined || change.pauseForMs === null ? null : d.nowPlus(gates.pausedUntil, change.pauseForMs);
  const paused = d.bool(change.paused ?? false);
  const note = change.note ?? null;
  const inserted = sql`INSERT INTO ${g} (queue, gate_key, paused, paused_until, note, updated_at)
    VALUES (${change.queue}, ${key}, ${paused}, ${until ?? raw('NULL')}, ${note}, ${now})`;
  const name = d.name;
  let row: Row | undefined;
  switch (name) {
    case 'postgresql':
    case 'sqlite': {
      const pausedUntil =
        change.pauseForMs === null
          ? raw('NULL')
          : until
            ? sql`CASE WHEN ${g}.paused_until IS NULL OR ${g}.paused_until < excluded.paused_until THEN excluded.paused_until ELSE ${g}.paused_until END`
            : sql`${g}.paused_until`;
      [row] = await db.rows(
        sql`${inserted} ON CONFLICT (queue, gate_key) DO UPDATE SET
          paused = ${change.paused === undefined ? sql`${g}.paused` : raw('excluded.paused')}, paused_until = ${pausedUntil},
          note = ${change.note === undefined ? sql`${g}.note` : raw('excluded.note')}, updated_at = excluded.updated_at
          RETURNING ${gateList(t, gates)}`,
        true,
      );
      break;
    }
    case 'mysql': {
      const pausedUntil =
        change.pauseForMs === null
          ? raw('NULL')
          : until
            ? sql`IF(paused_until IS NULL OR paused_until < ${until}, ${until}, paused_until)`
            : raw('paused_until');
      // One short transaction: the upsert's row lock keeps the read-back ours (a concurrent resume
      // that would delete the row waits for it).
      [row] = await db.transaction(async (tx) => {
        await tx.count(
          sql`${inserted} ON DUPLICATE KEY UPDATE paused_until = ${pausedUntil}, paused = ${change.paused === undefined ? raw('paused') : paused},
            note = ${change.note === undefined ? raw('note') : sql`${note}`}, updated_at = ${now}`,
        );
        return tx.rows(sql`SELECT ${gateList(t, gates)} FROM ${g} WHERE queue = ${change.queue} AND gate_key = ${key}`);
      });
      break;
    }
    default:
      return unreachable(name);
  }
  if (!row) throw new MsgQueueError('ADAPTER_CONTRACT', `setGate: the gate of ${change.queue} was not read back after its write.`);
  const gate = toGate(row);
  if (isOpen(gate, toNumber(row.msgqueue_now))) {
    // Open again: forget it (re-checked in the statement, so a pause written meanwhile stays).
    await db.count(
      sql`DELETE FROM ${g} WHERE queue = ${change.queue} AND gate_key = ${key} AND paused = ${d.bool(false)}
        AND (paused_until IS NULL OR paused_until <= ${d.now(gates.pausedUntil)})`,
      true,
    );
  }
  return gate;
}

/** The queue's closed gates, the queue's own first (its key sorts first), and the database's now. */
export async function listGates(db: Db, t: Table, queue: string): Promise<GatesSnapshot> {
  const gt = gateTable(t);
  if (!gt) {
    const [row] = await db.rows(sql`SELECT ${t.nowMs()}`, true);
    return { now: new Date(toNumber(row?.msgqueue_now)), gates: [] };
  }
  const { g, gates, closed } = gt;
  const rows = await db.rows(
    sql`SELECT ${gateList(t, gates)} FROM (SELECT 1 AS ${t.alias('msgqueue_one')}) one LEFT JOIN ${g} g
      ON g.queue = ${queue} AND ${closed} AND g.gate_key NOT LIKE ${`${SLOT_MARK}%`} ORDER BY g.gate_key`,
    true,
  );
  return {
    now: new Date(toNumber(rows[0]?.msgqueue_now)),
    gates: rows.filter((r) => r.queue !== null && r.queue !== undefined).map(toGate),
  };
}
