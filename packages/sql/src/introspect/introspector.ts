import type { Row } from '../client.js';
import type { PayloadKind, TimeKind } from '../dialects/dialect.js';
import type { Sql } from '../template.js';

/** Runs one introspection statement through the adapter's client. */
export type Query = (statement: Sql) => Promise<Row[]>;

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

/** Reading a database's schema: one implementation per dialect, apart from building statements. */
export interface Introspector {
  /** The table's columns, or an empty list when the table does not exist. */
  columns(query: Query, table: string): Promise<ColumnInfo[]>;
  /**
   * The session's offset from UTC in minutes (0 where there is no session time zone): what a
   * `DEFAULT CURRENT_TIMESTAMP` on a column without time zone is ahead of UTC.
   */
  sessionOffsetMinutes(query: Query): Promise<number>;
  /**
   * The families of values a column's type holds: MySQL's TINYINT and SQLite's INTEGER hold both
   * integers and booleans. Empty when none (time and payload types have their own checks).
   */
  families(column: ColumnInfo): ColumnFamily[];
  /**
   * The column lists of the table's unique indexes that hold for every row (no partial index): a
   * unique index on the dedupe key (with the queue) means no key can be duplicated, and `diagnose`
   * need not look for duplicates.
   */
  uniqueIndexes(query: Query, table: string): Promise<string[][]>;
  /** The time kind of a column type, or null when it does not hold times. */
  timeKind(type: string): TimeKind | null;
  /** The payload kind of a column type, or null when it cannot hold JSON text. */
  payloadKind(type: string): PayloadKind | null;
}
