/**
 * Rate-limit slots, kept in the gates table beside the gates: the `max` slots of a limit (the
 * queue's, or one key's) are `max` rows whose `gate_key` is `\u0001<slot>\u0001<key>` (no group key
 * has a control character, so gate reads never see them), `paused_until` the time the slot is free
 * again (NULL: free) and `note` the holder while a send holds it. Rows are made on first use and
 * pruned once idle for a day; installations that have the gates table need no migration.
 *
 * - take: the free slots of the key, `FOR UPDATE SKIP LOCKED` (PostgreSQL in one statement, a
 *   MATERIALIZED CTE; MySQL/MariaDB a short transaction; SQLite one UPDATE … RETURNING, its single
 *   writer keeping takers apart), stamped free at now + hold + perMs under the holder.
 * - give back: one UPDATE per kind of return, fenced by the holder: free at now + perMs once used,
 *   at once when unused.
 */
import type { SlotGrant, SlotRequest, SlotReturn, SlotsSnapshot } from '@org/msgqueue';
import type { Row } from '../client.js';
import { unreachable } from '../dialects/dialect.js';
import { toNumber } from '../rows.js';
import type { Table } from '../table.js';
import { join, raw, type Sql, sql } from '../template.js';
import type { Db } from './db.js';
import { requireGateTable, SLOT_MARK } from './gates.js';

/** A key as stored: itself when it fits and is plain text, else a hash of it (the gate_key column is 191 characters). */
function storedKey(key: string | null): string {
  const k = key ?? '';
  if (k.length <= 160 && !/[\p{Cc}\p{Surrogate}]/u.test(k)) return `${SLOT_MARK}${k}`;
  return `\u0002${digest(k, 1)}${digest(k, 2)}${digest(k, 3)}`;
}

/**
 * 53 bits of a string's hash, as hex (three seeds make 159 bits: two keys sharing a limit by chance is
 * not a concern). Not cryptographic; the engine loads no crypto module (it runs where node:crypto is not).
 */
function digest(text: string, seed: number): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}

/** The `gate_key` of one slot. */
const slotKey = (stored: string, slot: number) => `${SLOT_MARK}${slot}${stored}`;

/** The slot number and key a `gate_key` holds (a hashed key shows as `#` and its first 12 hex digits). */
function parse(gateKey: string): { slot: number; key: string | null } | null {
  if (!gateKey.startsWith(SLOT_MARK)) return null;
  const digits = /^\d+/.exec(gateKey.slice(1))?.[0];
  if (digits === undefined) return null;
  const rest = gateKey.slice(1 + digits.length);
  const key = rest.startsWith('\u0002') ? `#${rest.slice(1, 13)}` : rest.startsWith(SLOT_MARK) ? rest.slice(1) : null;
  if (key === null) return null;
  return { slot: Number(digits), key: key === '' ? null : key };
}

/** How long an idle slot row is kept (a key that sends again gets its rows back). */
const IDLE_MS = 24 * 60 * 60_000;
/** One prune a process every so often, at most this many rows a statement. */
const PRUNE_EVERY_MS = 10 * 60_000;
const PRUNE_ROWS = 1000;
const pruned = new WeakMap<Table, number>();

/** Take up to `want` free slots of the key; make the key's rows when some are missing. */
export async function takeSlots(db: Db, t: Table, request: SlotRequest): Promise<SlotGrant> {
  const stored = storedKey(request.key);
  const keys = Array.from({ length: request.max }, (_, i) => slotKey(stored, i));
  let slots = await take(db, t, request, keys);
  if (slots.length < request.want) {
    // Missing rows (first use, a larger max, or pruned): make them, then look once more.
    await ensure(db, t, request.queue, keys);
    slots = [...slots, ...(await take(db, t, { ...request, want: request.want - slots.length }, keys))];
  }
  if (slots.length === request.want) return { slots, retryInMs: null };
  return { slots, retryInMs: await nextFree(db, t, request, keys) };
}

function take(db: Db, t: Table, { queue, perMs, leaseMs, want, holder }: SlotRequest, keys: string[]): Promise<number[]> {
  const { g, gates } = requireGateTable(t, 'rateLimit');
  const d = db.dialect;
  const free = sql`queue = ${queue} AND gate_key IN (${join(keys.map((k) => sql`${k}`))}) AND (paused_until IS NULL OR paused_until <= ${d.now(gates.pausedUntil)})`;
  const stamp = sql`paused_until = ${d.nowPlus(gates.pausedUntil, leaseMs + perMs)}, note = ${holder}, updated_at = ${d.now(gates.updatedAt)}`;
  const name = d.name;
  const slotsOf = (rows: Row[]) => rows.map((r) => parse(String(r.gate_key))!.slot).sort((a, b) => a - b);
  switch (name) {
    case 'postgresql':
      return db
        .rows(
          sql`WITH f AS MATERIALIZED (SELECT gate_key FROM ${g} WHERE ${free} ORDER BY gate_key LIMIT ${want} FOR UPDATE SKIP LOCKED)
            UPDATE ${g} s SET ${stamp} FROM f WHERE s.queue = ${queue} AND s.gate_key = f.gate_key RETURNING s.gate_key`,
        )
        .then(slotsOf);
    case 'sqlite':
      return db
        .rows(
          sql`UPDATE ${g} SET ${stamp} WHERE queue = ${queue} AND gate_key IN (SELECT gate_key FROM ${g} WHERE ${free} ORDER BY gate_key LIMIT ${want}) RETURNING gate_key`,
        )
        .then(slotsOf);
    case 'mysql':
      return db.transaction(async (tx) => {
        const rows = await tx.rows(sql`SELECT gate_key FROM ${g} WHERE ${free} ORDER BY gate_key LIMIT ${want} FOR UPDATE SKIP LOCKED`);
        if (rows.length === 0) return [];
        await tx.count(
          sql`UPDATE ${g} SET ${stamp} WHERE queue = ${queue} AND gate_key IN (${join(rows.map((r) => sql`${String(r.gate_key)}`))})`,
        );
        return slotsOf(rows);
      });
    default:
      return unreachable(name);
  }
}

/** Make the key's slot rows that are missing (free), and now and then prune rows idle for a day. */
async function ensure(db: Db, t: Table, queue: string, keys: string[]): Promise<void> {
  const { g, gates } = requireGateTable(t, 'rateLimit');
  const d = db.dialect;
  const now = d.now(gates.updatedAt);
  const values = join(keys.map((k) => sql`(${queue}, ${k}, ${d.bool(false)}, NULL, NULL, ${now})`));
  const insert = sql`INTO ${g} (queue, gate_key, paused, paused_until, note, updated_at) VALUES ${values}`;
  await db.count(d.name === 'mysql' ? sql`INSERT IGNORE ${insert}` : sql`INSERT ${insert} ON CONFLICT (queue, gate_key) DO NOTHING`);
  const last = pruned.get(t) ?? Number.NEGATIVE_INFINITY;
  if (Date.now() - last < PRUNE_EVERY_MS) return;
  pruned.set(t, Date.now());
  const idle = sql`queue = ${queue} AND gate_key LIKE ${`${SLOT_MARK}%`} AND note IS NULL AND paused_until IS NOT NULL
    AND paused_until < ${d.nowPlus(gates.pausedUntil, -IDLE_MS)}`;
  const name = d.name;
  switch (name) {
    case 'postgresql':
      await db.count(sql`DELETE FROM ${g} WHERE ctid IN (SELECT ctid FROM ${g} WHERE ${idle} LIMIT ${PRUNE_ROWS})`);
      return;
    case 'sqlite':
      await db.count(sql`DELETE FROM ${g} WHERE rowid IN (SELECT rowid FROM ${g} WHERE ${idle} LIMIT ${PRUNE_ROWS})`);
      return;
    case 'mysql':
      await db.count(sql`DELETE FROM ${g} WHERE ${idle} LIMIT ${PRUNE_ROWS}`);
      return;
    default:
      return unreachable(name);
  }
}

/** How soon a slot of the key may free: a free time set, or perMs for a slot a send still holds (its end is not known). */
async function nextFree(db: Db, t: Table, { queue, perMs }: SlotRequest, keys: string[]): Promise<number> {
  const { g, gates } = requireGateTable(t, 'rateLimit');
  const d = db.dialect;
  const freeing = raw(`min(CASE WHEN note IS NULL THEN paused_until ELSE NULL END)`);
  const held = raw(`count(note)`);
  const [row] = await db.rows(
    sql`SELECT ${d.epochMs(freeing, gates.pausedUntil)} AS ${t.alias('soonest')}, ${held} AS ${t.alias('held')}, ${t.nowMs()}
      FROM ${g} WHERE queue = ${queue} AND gate_key IN (${join(keys.map((k) => sql`${k}`))})`,
  );
  const now = toNumber(row?.msgqueue_now);
  const soonest = row?.soonest === null || row?.soonest === undefined ? Number.POSITIVE_INFINITY : toNumber(row.soonest) - now;
  const ifHeld = toNumber(row?.held) > 0 ? perMs : Number.POSITIVE_INFINITY;
  const next = Math.min(soonest, ifHeld);
  return Number.isFinite(next) ? Math.max(0, Math.min(next, perMs)) : 0;
}

/** Give back the holder's slots: used ones free `perMs` from now, unused ones at once. */
export async function returnSlots(db: Db, t: Table, queue: string, holder: string, slots: readonly SlotReturn[]): Promise<void> {
  const { g, gates } = requireGateTable(t, 'rateLimit');
  const d = db.dialect;
  const kinds = new Map<string, { freeAt: Sql; keys: string[] }>();
  for (const s of slots) {
    const kind = s.used ? `used:${s.perMs}` : 'unused';
    const k = kinds.get(kind) ?? { freeAt: s.used ? d.nowPlus(gates.pausedUntil, s.perMs) : d.now(gates.pausedUntil), keys: [] };
    kinds.set(kind, k);
    k.keys.push(slotKey(storedKey(s.key), s.slot));
  }
  for (const { freeAt, keys } of kinds.values()) {
    await db.count(
      sql`UPDATE ${g} SET paused_until = ${freeAt}, note = NULL, updated_at = ${d.now(gates.updatedAt)}
        WHERE queue = ${queue} AND note = ${holder} AND gate_key IN (${join(keys.map((k) => sql`${k}`))})`,
    );
  }
}

/** Slots not free now, by key (the queue's own first, then the busiest), at most 1,000 keys. */
export async function slotsInUse(db: Db, t: Table, queue: string): Promise<SlotsSnapshot> {
  const { g, gates } = requireGateTable(t, 'rateLimit');
  const d = db.dialect;
  const rows = await db.rows(
    sql`SELECT gate_key, ${d.epochMs(raw('paused_until'), gates.pausedUntil)} AS ${t.alias('freeAt')}, ${t.nowMs()} FROM ${g}
      WHERE queue = ${queue} AND gate_key LIKE ${`${SLOT_MARK}%`} AND paused_until > ${d.now(gates.pausedUntil)}
      ORDER BY paused_until LIMIT 20000`,
    true,
  );
  let now = rows[0] ? toNumber(rows[0].msgqueue_now) : null;
  if (now === null) {
    const [row] = await db.rows(sql`SELECT ${t.nowMs()}`, true);
    now = toNumber(row?.msgqueue_now);
  }
  const byKey = new Map<string | null, { busy: number; next: number }>();
  for (const r of rows) {
    const slot = parse(String(r.gate_key));
    if (!slot) continue;
    const at = toNumber(r.freeAt);
    const k = byKey.get(slot.key);
    if (k) {
      k.busy++;
      k.next = Math.min(k.next, at);
    } else byKey.set(slot.key, { busy: 1, next: at });
  }
  const keys = [...byKey]
    .map(([key, k]) => ({ key, busy: k.busy, nextFreeAt: new Date(k.next) }))
    .sort((a, b) => (a.key === null ? -1 : b.key === null ? 1 : b.busy - a.busy || a.nextFreeAt.getTime() - b.nextFreeAt.getTime()));
  return { now: new Date(now), keys: keys.slice(0, 1000) };
}
