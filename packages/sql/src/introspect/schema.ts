/**
 * Reading the mapped tables once, on first use, before any write: the table exists, every mapped
 * column exists and can hold what the queue writes to it (column-rules.ts), time columns hold times
 * and the payload column holds text or JSON. Throws SCHEMA_MISMATCH naming what to fix.
 */
import { MsgQueueError } from '@org/msgqueue';
import type { SqlDialect } from '../client.js';
import type { PayloadKind, TimeKind } from '../dialects/dialect.js';
import { type Field, identifier, type Mapping, TIME_FIELDS, type TimeField } from '../mapping.js';
import { type ColumnWidths, checkColumnTypes } from './column-rules.js';
import type { ColumnInfo, Introspector, Query } from './introspector.js';
import { mysqlIntrospector } from './mysql.js';
import { postgresIntrospector } from './postgres.js';
import { sqliteIntrospector } from './sqlite.js';

/** What introspection learned about the mapped tables. */
export interface SchemaInfo {
  times: Record<TimeField, TimeKind>;
  payload: PayloadKind;
  lockExpiresAt: TimeKind | null;
  /**
   * The gates table's time columns, or null when there is none (`gateTable: false`, or not created
   * yet: claims then read no gates, and `pause` says how to create it).
   */
  gates: { pausedUntil: TimeKind; updatedAt: TimeKind } | null;
  /** PostgreSQL enum type of the status column, when it is one (computed values are cast to it). */
  statusEnum: string | null;
  /** Widths of the text columns whose values the caller chooses. */
  widths: ColumnWidths;
  /** The session's UTC offset at first use, in minutes. */
  sessionOffsetMinutes: number;
  /** A unique index covers the dedupe key (alone, or with the queue): no key can be on two rows. */
  dedupeUnique: boolean;
  /** The mapped columns as found: `queue` is null when the table has none (it holds one queue). */
  columns: Mapping['columns'];
}

/** The introspector of each dialect. */
export const INTROSPECTORS: Record<SqlDialect, Introspector> = {
  postgresql: postgresIntrospector,
  mysql: mysqlIntrospector,
  sqlite: sqliteIntrospector,
};

export async function readSchema(query: Query, given: Mapping): Promise<SchemaInfo> {
  let mapping = given;
  const introspector = INTROSPECTORS[mapping.dialect];
  const columns = await introspector.columns(query, mapping.table);
  if (columns.length === 0) {
    throw new MsgQueueError(
      'SCHEMA_MISMATCH',
      `Table ${mapping.table} not found. Apply the SQL shipped in @org/msgqueue-sql/sql/${mapping.dialect}.sql (or schemaSql('${mapping.dialect}')), or set options.table to your table.`,
      { field: 'options.table' },
    );
  }
  const byName = new Map(columns.map((c) => [c.name, c]));
  // A table without a queue column, when none was mapped, holds one queue: the found mapping drops it.
  if (!mapping.queueMapped && mapping.columns.queue !== null && !byName.has(mapping.columns.queue)) {
    mapping = { ...mapping, columns: { ...mapping.columns, queue: null } };
  }
  const column = (field: Field): ColumnInfo => {
    const name = mapping.columns[field];
    const info = name === null ? undefined : byName.get(name);
    if (info === undefined) {
      throw new MsgQueueError(
        'SCHEMA_MISMATCH',
        `Table ${mapping.table} has no column ${name} for ${field}. Add it (see docs/adopting-an-existing-table.md), or map ${field} to an existing column with options.columns.${field}.`,
        { field: `options.columns.${field}` },
      );
    }
    return info;
  };
  for (const field of Object.keys(mapping.columns) as Field[]) {
    if (mapping.columns[field] !== null) column(field);
  }
  const widths = checkColumnTypes(introspector, mapping, column);
  const times = {} as Record<TimeField, TimeKind>;
  for (const field of TIME_FIELDS) {
    const { type } = column(field);
    const kind = introspector.timeKind(type);
    if (!kind) {
      throw new MsgQueueError('SCHEMA_MISMATCH', `Column ${mapping.columns[field]} (${field}) is ${type}; it must hold a date-time.`, {
        field: `options.columns.${field}`,
      });
    }
    times[field] = kind;
  }
  const payloadType = column('payload').type;
  const payload = introspector.payloadKind(payloadType);
  if (!payload) {
    throw new MsgQueueError('SCHEMA_MISMATCH', `Column ${mapping.columns.payload} (payload) is ${payloadType}; it must be JSON or text.`, {
      field: 'options.columns.payload',
    });
  }
  const statusType = column('status').type;
  const statusEnum = statusType.startsWith('enum:') ? identifier(statusType.slice(5), 'options.columns.status') : null;
  let lockExpiresAt: TimeKind | null = null;
  if (mapping.lockTable) {
    const lockColumns = await introspector.columns(query, mapping.lockTable);
    const expires = lockColumns.find((c) => c.name === 'expires_at');
    if (!expires || !lockColumns.some((c) => c.name === 'owner') || !lockColumns.some((c) => c.name === 'name')) {
      throw new MsgQueueError(
        'SCHEMA_MISMATCH',
        `Lock table ${mapping.lockTable} not found or incomplete (needs name, owner, expires_at). Create it with sql/${mapping.dialect}.locks.sql (lockTableSql('${mapping.dialect}')), or pass lockTable: false to run without the cross-instance tick lock.`,
        { field: 'options.lockTable' },
      );
    }
    lockExpiresAt = introspector.timeKind(expires.type);
  }
  const gates = await readGates(introspector, query, mapping);
  const sessionOffsetMinutes = await introspector.sessionOffsetMinutes(query);
  const dedupeUnique = await hasUniqueDedupe(introspector, query, mapping);
  return { times, payload, lockExpiresAt, gates, statusEnum, widths, sessionOffsetMinutes, dedupeUnique, columns: mapping.columns };
}

const GATE_COLUMNS = ['queue', 'gate_key', 'paused', 'paused_until', 'note', 'updated_at'];

/** The gates table's time kinds; null when it does not exist (yet). One that exists must be whole. */
async function readGates(introspector: Introspector, query: Query, mapping: Mapping): Promise<SchemaInfo['gates']> {
  if (!mapping.gateTable) return null;
  const columns = await introspector.columns(query, mapping.gateTable);
  if (columns.length === 0) return null;
  const kind = (name: string) => {
    const c = columns.find((x) => x.name === name);
    return c ? introspector.timeKind(c.type) : null;
  };
  const pausedUntil = kind('paused_until');
  const updatedAt = kind('updated_at');
  if (!GATE_COLUMNS.every((n) => columns.some((c) => c.name === n)) || !pausedUntil || !updatedAt) {
    throw new MsgQueueError(
      'SCHEMA_MISMATCH',
      `Gates table ${mapping.gateTable} is incomplete (needs ${GATE_COLUMNS.join(', ')}). Create it with sql/${mapping.dialect}.gates.sql (gateTableSql('${mapping.dialect}')), or pass gateTable: false to go without pause and hold.`,
      { field: 'options.gateTable' },
    );
  }
  return { pausedUntil, updatedAt };
}

/** Whether a unique index on the dedupe key (alone, or with the queue column) holds for every row. */
async function hasUniqueDedupe(introspector: Introspector, query: Query, mapping: Mapping): Promise<boolean> {
  const { dedupeKey, queue } = mapping.columns;
  if (dedupeKey === null) return true; // no key, nothing to duplicate
  const allowed = new Set([dedupeKey, ...(queue === null ? [] : [queue])]);
  const indexes = await introspector.uniqueIndexes(query, mapping.table);
  return indexes.some((cols) => cols.includes(dedupeKey) && cols.every((c) => allowed.has(c)));
}
