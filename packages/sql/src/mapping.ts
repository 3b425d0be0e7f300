import { checkOptions, MESSAGE_STATUSES, type MessageStatus, MsgQueueError } from '@org/msgqueue';

import type { SqlDialect } from './client.js';

/**
 * Every {@link SqlDialect}.
 *
 * @category Schema
 */
export const DIALECTS: readonly SqlDialect[] = ['postgresql', 'mysql', 'sqlite'];

/**
 * The message fields stored in columns.
 *
 * @category Mapping an existing table
 */
export type Field =
  | 'id'
  | 'queue'
  | 'status'
  | 'payload'
  | 'attempts'
  | 'priority'
  | 'availableAt'
  | 'dedupeKey'
  | 'groupKey'
  | 'claimToken'
  | 'leaseUntil'
  | 'possiblySent'
  | 'lastError'
  | 'createdAt'
  | 'updatedAt';

/**
 * Fields whose column may be absent from an existing table (set them to `null` in `columns`).
 * `queue` needs no `null`: a table without a `queue` column (and no mapping for it) holds one queue.
 *
 * @category Mapping an existing table
 */
export const OPTIONAL_FIELDS = ['queue', 'priority', 'dedupeKey', 'groupKey', 'lastError'] as const;
/**
 * A field whose column may be absent.
 *
 * @category Mapping an existing table
 */
export type OptionalField = (typeof OPTIONAL_FIELDS)[number];
/**
 * A field the queue cannot work without.
 *
 * @category Mapping an existing table
 */
export type RequiredField = Exclude<Field, OptionalField>;

/** Fields holding times; their column types decide the SQL for "now". */
export const TIME_FIELDS = ['availableAt', 'leaseUntil', 'createdAt', 'updatedAt'] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

/**
 * Column names of the default table (`schemaSql()` creates it).
 *
 * @category Mapping an existing table
 */
export const DEFAULT_COLUMNS: Record<Field, string> = {
  id: 'id',
  queue: 'queue',
  status: 'status',
  payload: 'payload',
  attempts: 'attempts',
  priority: 'priority',
  availableAt: 'available_at',
  dedupeKey: 'dedupe_key',
  groupKey: 'group_key',
  claimToken: 'claim_token',
  leaseUntil: 'lease_until',
  possiblySent: 'possibly_sent',
  lastError: 'last_error',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

/**
 * The default messages table.
 *
 * @category Schema
 */
export const DEFAULT_TABLE = 'msgqueue_messages';
/**
 * The default run-lock table (one row per tick in progress), which keeps cron instances from ticking at once.
 *
 * @category Schema
 */
export const DEFAULT_LOCK_TABLE = 'msgqueue_locks';

/**
 * The default gates table (flow control: a paused or held queue, or group key, one row each), read
 * by every claim once it exists.
 *
 * @category Schema
 */
export const DEFAULT_GATE_TABLE = 'msgqueue_gates';

/**
 * Column names for an existing table; a field left out keeps its default name.
 *
 * @category Mapping an existing table
 */
export type ColumnMapping = Partial<Record<RequiredField, string>> & Partial<Record<OptionalField, string | null>>;

/** A validated mapping. */
export interface Mapping {
  dialect: SqlDialect;
  table: string;
  columns: Record<RequiredField, string> & Record<OptionalField, string | null>;
  /** Stored value per status. */
  statuses: Record<MessageStatus, string>;
  lockTable: string | null;
  /** The gates table (flow control), or null to go without. */
  gateTable: string | null;
  /** Whether `columns.queue` was given: only then is a missing queue column a mismatch. */
  queueMapped: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const STATUS_VALUE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;
const FIELDS = Object.keys(DEFAULT_COLUMNS) as Field[];

function bad(field: string, message: string): MsgQueueError {
  return new MsgQueueError('INVALID_MAPPING', `${field}: ${message}`, { field });
}

/** Throws INVALID_MAPPING unless `name` is a plain SQL identifier. */
export function identifier(name: unknown, field: string): string {
  if (typeof name !== 'string' || !IDENTIFIER.test(name)) {
    throw bad(
      field,
      `${JSON.stringify(name)} is not a plain identifier: use 1–63 letters, digits and "_", starting with a letter or "_". Names with quotes, spaces, dots or SQL are refused.`,
    );
  }
  return name;
}

/** Validate the mapping options. Nothing touches the database here. */
export function resolveMapping(input: {
  dialect: unknown;
  table?: unknown;
  columns?: unknown;
  statuses?: unknown;
  lockTable?: unknown;
  gateTable?: unknown;
}): Mapping {
  if (typeof input.dialect !== 'string' || !DIALECTS.includes(input.dialect as SqlDialect)) {
    throw bad('options.dialect', `expected one of ${DIALECTS.join(', ')}, got ${JSON.stringify(input.dialect)}.`);
  }
  const table = identifier(input.table ?? DEFAULT_TABLE, 'options.table');
  const columns = { ...DEFAULT_COLUMNS } as Mapping['columns'];
  if (input.columns !== undefined) {
    if (typeof input.columns !== 'object' || input.columns === null)
      throw bad('options.columns', 'expected an object of field → column name.');
    checkOptions(input.columns, 'options.columns', FIELDS);
    for (const [field, name] of Object.entries(input.columns)) {
      if (name === null) {
        if (!(OPTIONAL_FIELDS as readonly string[]).includes(field)) {
          throw bad(`options.columns.${field}`, `the queue needs this column; only ${OPTIONAL_FIELDS.join(', ')} may be null.`);
        }
        (columns as Record<string, string | null>)[field] = null;
      } else {
        (columns as Record<string, string | null>)[field] = identifier(name, `options.columns.${field}`);
      }
    }
  }
  const used = new Map<string, string>();
  for (const [field, name] of Object.entries(columns)) {
    if (name === null) continue;
    const other = used.get(name.toLowerCase());
    if (other) throw bad(`options.columns.${field}`, `column ${name} is already mapped to ${other}.`);
    used.set(name.toLowerCase(), field);
  }
  const statuses = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, s])) as Record<MessageStatus, string>;
  if (input.statuses !== undefined) {
    if (typeof input.statuses !== 'object' || input.statuses === null)
      throw bad('options.statuses', 'expected an object of status → stored value.');
    checkOptions(input.statuses, 'options.statuses', MESSAGE_STATUSES);
    for (const [status, value] of Object.entries(input.statuses)) {
      if (typeof value !== 'string' || !STATUS_VALUE.test(value)) {
        throw bad(`options.statuses.${status}`, `${JSON.stringify(value)} is not a plain status value (1–32 letters, digits, "_").`);
      }
      statuses[status as MessageStatus] = value;
    }
  }
  const values = Object.values(statuses);
  if (new Set(values).size !== values.length) throw bad('options.statuses', 'two statuses map to the same stored value.');
  const lockTable =
    input.lockTable === null || input.lockTable === false ? null : identifier(input.lockTable ?? DEFAULT_LOCK_TABLE, 'options.lockTable');
  const gateTable =
    input.gateTable === null || input.gateTable === false ? null : identifier(input.gateTable ?? DEFAULT_GATE_TABLE, 'options.gateTable');
  const queueMapped = typeof input.columns === 'object' && input.columns !== null && 'queue' in input.columns;
  return { dialect: input.dialect as SqlDialect, table, columns, statuses, lockTable, gateTable, queueMapped };
}
