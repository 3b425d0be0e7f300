import { MsgQueueError } from '@org/msgqueue';
import { type ColumnWidths, checkColumnTypes } from './column-rules.js';
import type { ColumnInfo, Dialect, PayloadKind, TimeKind } from './dialects/dialect.js';
import { type Field, identifier, type Mapping, TIME_FIELDS, type TimeField } from './mapping.js';
import type { PrismaRawClient } from './prisma-like.js';

/** What introspection learned about the mapped tables. */
export interface SchemaInfo {
  times: Record<TimeField, TimeKind>;
  payload: PayloadKind;
  lockExpiresAt: TimeKind | null;
  /** PostgreSQL enum type of the status column, when it is one (computed values are cast to it). */
  statusEnum: string | null;
  /** Widths of the text columns whose values the caller chooses. */
  widths: ColumnWidths;
  /** The session's UTC offset at first use, in minutes (see {@link Dialect.sessionOffsetMinutes}). */
  sessionOffsetMinutes: number;
}

/**
 * Read the tables' columns and check the mapping against them: the table exists, every mapped
 * column exists and can hold what the queue writes to it (see column-rules.ts), time columns hold
 * times and the payload column holds text or JSON. Runs once, on first use, before any write;
 * throws SCHEMA_MISMATCH naming what to fix.
 */
export async function inspectSchema(client: PrismaRawClient, dialect: Dialect, mapping: Mapping): Promise<SchemaInfo> {
  const columns = await dialect.columns(client, mapping.table);
  if (columns.length === 0) {
    throw new MsgQueueError(
      'SCHEMA_MISMATCH',
      `Table ${mapping.table} not found. Apply the SQL shipped in @org/msgqueue-prisma/sql/${mapping.provider}.sql (or schemaSql('${mapping.provider}')), or set options.table to your table.`,
      { field: 'options.table' },
    );
  }
  const byName = new Map(columns.map((c) => [c.name, c]));
  const column = (field: Field): ColumnInfo => {
    const name = mapping.columns[field];
    const info = name === null ? undefined : byName.get(name);
    if (info === undefined) {
      throw new MsgQueueError(
        'SCHEMA_MISMATCH',
        `Table ${mapping.table} has no column ${name} for ${field}. Add it (see the package README, "Using your existing table"), or map ${field} to an existing column with options.columns.${field}.`,
        { field: `options.columns.${field}` },
      );
    }
    return info;
  };
  const typeOf = (field: Field): string => column(field).type;
  for (const field of Object.keys(mapping.columns) as Field[]) {
    if (mapping.columns[field] !== null) column(field);
  }
  const widths = checkColumnTypes(dialect, mapping, column);
  const times = {} as Record<TimeField, TimeKind>;
  for (const field of TIME_FIELDS) {
    const type = typeOf(field);
    const kind = dialect.timeKind(type);
    if (!kind) {
      throw new MsgQueueError('SCHEMA_MISMATCH', `Column ${mapping.columns[field]} (${field}) is ${type}; it must hold a date-time.`, {
        field: `options.columns.${field}`,
      });
    }
    times[field] = kind;
  }
  const payloadType = typeOf('payload');
  const payload = dialect.payloadKind(payloadType);
  if (!payload) {
    throw new MsgQueueError('SCHEMA_MISMATCH', `Column ${mapping.columns.payload} (payload) is ${payloadType}; it must be JSON or text.`, {
      field: 'options.columns.payload',
    });
  }
  const statusType = typeOf('status');
  const statusEnum = statusType.startsWith('enum:') ? identifier(statusType.slice(5), 'options.columns.status') : null;
  let lockExpiresAt: TimeKind | null = null;
  if (mapping.lockTable) {
    const lockColumns = await dialect.columns(client, mapping.lockTable);
    const expires = lockColumns.find((c) => String(c.name) === 'expires_at');
    if (!expires || !lockColumns.some((c) => String(c.name) === 'owner') || !lockColumns.some((c) => String(c.name) === 'name')) {
      throw new MsgQueueError(
        'SCHEMA_MISMATCH',
        `Lock table ${mapping.lockTable} not found or incomplete (needs name, owner, expires_at). Apply the shipped SQL, or pass lockTable: false to run without the cross-instance tick lock.`,
        { field: 'options.lockTable' },
      );
    }
    lockExpiresAt = dialect.timeKind(String(expires.type));
  }
  const sessionOffsetMinutes = await dialect.sessionOffsetMinutes(client);
  return { times, payload, lockExpiresAt, statusEnum, widths, sessionOffsetMinutes };
}
