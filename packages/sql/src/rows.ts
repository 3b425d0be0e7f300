import { type ClaimedRecord, type MessageRecord, type MessageState, type MessageStatus, MsgQueueError } from '@org/msgqueue';
import type { Mapping } from './mapping.js';

/** A row as the select list returns it, before normalisation. */
export type RawRow = Record<string, unknown>;

/**
 * The one place where raw query values become a {@link MessageRecord}: BigInt counts, 0/1
 * booleans (MySQL, SQLite), JSON as text (all dialects select the payload as text), times as
 * epoch milliseconds, and stored status values mapped back to statuses.
 */
export function toRecord(row: RawRow, mapping: Mapping): MessageRecord {
  const record = toRow(row, mapping) as MessageRecord;
  record.payload = JSON.parse(String(row.payload)) as unknown;
  return record;
}

/** A row of {@link Table.claimList}: the status and token are the ones the claim wrote. */
export function toClaimed(row: RawRow, status: MessageStatus, token: string): ClaimedRecord {
  return {
    id: String(row.id),
    status,
    payload: JSON.parse(String(row.payload)) as unknown,
    attempts: toNumber(row.attempts),
    priority: toNumber(row.priority ?? 0),
    availableAt: toDate(row.availableAt)!,
    dedupeKey: optionalText(row.dedupeKey),
    groupKey: optionalText(row.groupKey),
    claimToken: token,
    leaseUntil: toDate(row.leaseUntil),
    possiblySent: toBool(row.possiblySent),
    createdAt: toDate(row.createdAt)!,
  };
}

/**
 * A row of {@link Table.ackList}: a settle that took effect — an ack (SENT) by default — which
 * always clears the claim and the lease, so only what it may have changed is read back.
 */
export function toAcked(row: RawRow, status: MessageStatus = 'SENT'): MessageState {
  return {
    id: String(row.id),
    status,
    attempts: toNumber(row.attempts),
    availableAt: toDate(row.availableAt)!,
    claimToken: null,
    leaseUntil: null,
    possiblySent: toBool(row.possiblySent),
  };
}

/** A row of {@link Table.guardList}: a guard that took effect (SENDING, still under `token`). */
export function toGuarded(row: RawRow, token: string): MessageState {
  return {
    id: String(row.id),
    status: 'SENDING',
    attempts: toNumber(row.attempts),
    availableAt: toDate(row.availableAt)!,
    claimToken: token,
    leaseUntil: toDate(row.leaseUntil),
    possiblySent: toBool(row.possiblySent),
  };
}

/** {@link toRecord} without the payload (what `find` reads). */
export function toRow(row: RawRow, mapping: Mapping): Omit<MessageRecord, 'payload'> {
  return {
    id: String(row.id),
    status: toStatus(row.status, mapping, row.id),
    attempts: toNumber(row.attempts),
    priority: toNumber(row.priority ?? 0),
    availableAt: toDate(row.availableAt)!,
    dedupeKey: optionalText(row.dedupeKey),
    groupKey: optionalText(row.groupKey),
    claimToken: optionalText(row.claimToken),
    leaseUntil: toDate(row.leaseUntil),
    possiblySent: toBool(row.possiblySent),
    lastError: optionalText(row.lastError),
    createdAt: toDate(row.createdAt)!,
    updatedAt: toDate(row.updatedAt)!,
  };
}

/** Number from number, BigInt, numeric string or Decimal-like. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value === null || value === undefined) return 0;
  return Number(String(value));
}

/** Text, or null for a missing value. */
export function optionalText(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function toBool(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  return toNumber(value) !== 0;
}

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  return new Date(toNumber(value));
}

/** Map a stored status value back; an unknown value is CORRUPT_ROW naming it. */
export function toStatus(value: unknown, mapping: Mapping, id?: unknown): MessageStatus {
  const status = storedStatuses(mapping).get(value);
  if (status !== undefined) return status;
  throw new MsgQueueError(
    'CORRUPT_ROW',
    `${id === undefined ? 'A row' : `Message ${String(id)}`} in ${mapping.table} has status ${JSON.stringify(value)}, which the mapping does not know. Map it with options.statuses, or fix the row.`,
    { field: 'options.statuses' },
  );
}

const byStored = new WeakMap<Mapping['statuses'], Map<unknown, MessageStatus>>();

/** The statuses by their stored values (once per mapping: every row read goes through it). */
function storedStatuses(mapping: Mapping): Map<unknown, MessageStatus> {
  let map = byStored.get(mapping.statuses);
  if (!map) {
    map = new Map(Object.entries(mapping.statuses).map(([status, stored]) => [stored, status as MessageStatus]));
    byStored.set(mapping.statuses, map);
  }
  return map;
}

/** A row of {@link Table.stateList} as a {@link MessageState}. */
export function toState(row: RawRow, mapping: Mapping): MessageState {
  return {
    id: String(row.id),
    status: toStatus(row.status, mapping, row.id),
    attempts: toNumber(row.attempts),
    availableAt: toDate(row.availableAt)!,
    claimToken: optionalText(row.claimToken),
    leaseUntil: toDate(row.leaseUntil),
    possiblySent: toBool(row.possiblySent),
  };
}
