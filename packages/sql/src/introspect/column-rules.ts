/**
 * What each mapped column must be able to hold, checked on first use before anything is written:
 * a column of the wrong type (an integer id, `attempts` as text, an 8-character token column, a
 * status enum without SENDING) would let enqueue write rows that every later claim chokes on.
 */
import { CLAIM_TOKEN_LENGTH, MESSAGE_STATUSES, MsgQueueError } from '@org/msgqueue';
import type { Field, Mapping } from '../mapping.js';
import type { ColumnFamily, ColumnInfo, Introspector } from './introspector.js';

/** Widths of the text columns whose values the caller chooses (null: unbounded). */
export interface ColumnWidths {
  id: number | null;
  dedupeKey: number | null;
  groupKey: number | null;
  lastError: number | null;
  /**
   * The status column can store CANCELLED's value. A status enum made before CANCELLED existed need
   * not have it: everything works but `cancel`, which says how to add it.
   */
  cancelled: boolean;
}

/** The queue's generated ids are UUIDs. */
const ID_LENGTH = 36;
/** Queue names are up to 64 characters. */
const QUEUE_NAME_LENGTH = 64;

/** Throws SCHEMA_MISMATCH naming the first column that cannot hold what the queue writes to it. */
export function checkColumnTypes(introspector: Introspector, mapping: Mapping, column: (field: Field) => ColumnInfo): ColumnWidths {
  const mismatch = (field: Field, info: ColumnInfo, needs: string) =>
    new MsgQueueError(
      'SCHEMA_MISMATCH',
      `Column ${mapping.table}.${info.name} (${field}) is ${describeType(info)}; it must ${needs}. Change the column's type, or map ${field} to another column with options.columns.${field}.`,
      { field: `options.columns.${field}` },
    );
  const has = (info: ColumnInfo, family: ColumnFamily) => introspector.families(info).includes(family);
  const text = (field: Field, minLength: number, needs: string): ColumnInfo => {
    const info = column(field);
    if (!has(info, 'text') || (info.maxLength !== null && info.maxLength < minLength)) throw mismatch(field, info, needs);
    return info;
  };
  const optionalText = (field: 'dedupeKey' | 'groupKey' | 'lastError'): number | null =>
    mapping.columns[field] === null ? null : text(field, 1, 'hold text').maxLength;

  const id = text('id', ID_LENGTH, `hold text of at least ${ID_LENGTH} characters (the queue writes UUIDs)`);
  if (mapping.columns.queue !== null)
    text('queue', QUEUE_NAME_LENGTH, `hold text of at least ${QUEUE_NAME_LENGTH} characters (queue names)`);
  text('claimToken', CLAIM_TOKEN_LENGTH, `hold text of at least ${CLAIM_TOKEN_LENGTH} characters (the queue's claim tokens)`);
  for (const field of ['attempts', 'priority'] as const) {
    if (mapping.columns[field] === null) continue;
    const info = column(field);
    if (!has(info, 'integer')) throw mismatch(field, info, 'hold integers');
  }
  const possiblySent = column('possiblySent');
  if (!has(possiblySent, 'boolean')) throw mismatch('possiblySent', possiblySent, 'hold a boolean');

  const literals = MESSAGE_STATUSES.map((s) => mapping.statuses[s]);
  const status = column('status');
  let cancelled = true;
  if (status.enumValues) {
    cancelled = status.enumValues.includes(mapping.statuses.CANCELLED);
    const missing = literals.filter((l) => l !== mapping.statuses.CANCELLED && !status.enumValues!.includes(l));
    if (missing.length > 0) {
      throw mismatch(
        'status',
        status,
        `accept every mapped status; add ${missing.map((m) => `'${m}'`).join(', ')} to the enum (or map those statuses to values it has with options.statuses)`,
      );
    }
  } else {
    const longest = Math.max(...literals.map((l) => l.length));
    if (!has(status, 'text') || (status.maxLength !== null && status.maxLength < longest)) {
      throw mismatch(
        'status',
        status,
        `hold the status values (${literals.join(', ')}): text of at least ${longest} characters, or an enum of them`,
      );
    }
  }
  return {
    id: id.maxLength,
    dedupeKey: optionalText('dedupeKey'),
    groupKey: optionalText('groupKey'),
    lastError: optionalText('lastError'),
    cancelled,
  };
}

function describeType(info: ColumnInfo): string {
  if (info.enumValues) return `an enum of ${info.enumValues.join(', ')}`;
  return info.maxLength === null ? info.type || 'untyped' : `${info.type}(${info.maxLength})`;
}
