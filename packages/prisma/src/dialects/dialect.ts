import type { Provider } from '../mapping.js';
import type { PrismaRawClient } from '../prisma-like.js';

/** How a time column stores its values; decides the SQL for "now" and for reading epoch milliseconds. */
export type TimeKind =
  | 'pg-timestamptz' // timestamptz: an instant
  | 'pg-timestamp' // timestamp without time zone holding UTC, as Prisma writes DateTime
  | 'mysql-datetime' // DATETIME holding UTC, as Prisma writes DateTime
  | 'mysql-timestamp' // TIMESTAMP: converted through the session time zone
  | 'sqlite-iso' // TEXT '2026-01-01T09:00:00.000+00:00', as Prisma writes DateTime by default
  | 'sqlite-epoch-ms'; // INTEGER milliseconds (Prisma's timestampFormat: 'unixepoch-ms')

/** How the payload column stores JSON. */
export type PayloadKind = 'json' | 'jsonb' | 'text';

/** A column as the database describes it. */
export interface ColumnInfo {
  name: string;
  /** The database's type name (`character varying`, `int`, `enum:QueueStatus`, `VARCHAR(64)`…). */
  type: string;
  /** Characters a text column holds, or null when unbounded (or not text). */
  maxLength: number | null;
  /** The values an enum column accepts, or null when it is not an enum. */
  enumValues: string[] | null;
}

/** What kind of values a column type holds, as far as the queue cares. */
export type ColumnFamily = 'text' | 'integer' | 'boolean' | 'enum';

/**
 * The SQL that differs between databases, as small expression builders. Operations that need a
 * different shape per database (claim, insert, fenced update) live in each dialect's file.
 */
export interface Dialect {
  readonly provider: Provider;
  /** Quote a validated identifier. */
  quote(name: string): string;
  /** The n-th (1-based) parameter placeholder. */
  placeholder(n: number): string;
  /** The database's current time, in the column's representation. */
  now(kind: TimeKind): string;
  /** now + `ms` milliseconds, `ms` being a placeholder. */
  nowPlus(kind: TimeKind, ms: string): string;
  /** A time given as epoch milliseconds (a placeholder), in the column's representation. */
  fromEpochMs(kind: TimeKind, ms: string): string;
  /** Read a time column as epoch milliseconds (a number), whatever its type. */
  epochMs(column: string, kind: TimeKind): string;
  /** Read the payload column as JSON text. */
  payloadOut(column: string): string;
  /** Write JSON text (a placeholder) into the payload column. */
  payloadIn(value: string, kind: PayloadKind): string;
  /** Boolean literal for the possibly-sent column. */
  bool(value: boolean): string;
  /**
   * The session's offset from UTC in minutes (0 where there is no session time zone): what a
   * `DEFAULT CURRENT_TIMESTAMP` on a column without time zone is ahead of UTC.
   */
  sessionOffsetMinutes(client: PrismaRawClient): Promise<number>;
  /** The table's columns, or an empty list when the table does not exist. */
  columns(client: PrismaRawClient, table: string): Promise<ColumnInfo[]>;
  /**
   * The families of values a column's type holds: MySQL's TINYINT and SQLite's INTEGER hold both
   * integers and booleans. Empty when none (time and payload types have their own checks).
   */
  families(column: ColumnInfo): ColumnFamily[];
  /** The time kind of a column type, or null when it does not hold times. */
  timeKind(type: string): TimeKind | null;
  /** The payload kind of a column type, or null when it cannot hold JSON text. */
  payloadKind(type: string): PayloadKind | null;
}
