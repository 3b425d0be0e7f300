import type { SqlDialect } from '../client.js';
import type { Sql } from '../template.js';

/** How a time column stores its values; decides the SQL for "now" and for reading epoch milliseconds. */
export type TimeKind =
  | 'pg-timestamptz' // timestamptz: an instant
  | 'pg-timestamp' // timestamp without time zone holding UTC, as Prisma and Drizzle write dates
  | 'mysql-datetime' // DATETIME holding UTC
  | 'mysql-timestamp' // TIMESTAMP: converted through the session time zone
  | 'sqlite-iso' // TEXT '2026-01-01T09:00:00.000+00:00', as Prisma writes DateTime by default
  | 'sqlite-epoch-ms'; // INTEGER milliseconds (Prisma's timestampFormat: 'unixepoch-ms')

/** How the payload column stores JSON. */
export type PayloadKind = 'json' | 'jsonb' | 'text';

/**
 * What differs between databases: named capabilities, and the expressions as fragments. Statements
 * whose shape differs per database live in `operations/`, one file per operation, each choosing by
 * a capability below or by an exhaustive `switch` on `name` (ending in {@link unreachable}) or a
 * `Record<SqlDialect, …>`: a new {@link SqlDialect} is a compile error at every place that must
 * handle it. Reading the schema lives in `introspect/`.
 */
export interface Dialect {
  readonly name: SqlDialect;
  /**
   * `UPDATE … RETURNING`: a fenced transition writes and answers the row in one statement
   * (PostgreSQL, SQLite 3.35+). Without it (MySQL) the engine updates, then reads the rows back.
   */
  readonly returning: boolean;
  /**
   * A JavaScript array binds as one parameter (PostgreSQL's `text[]`): long id lists become
   * `= ANY($1)` and `unnest($1, $2)` instead of thousands of placeholders.
   */
  readonly arrayParameters: boolean;
  /**
   * Data-modifying statements inside `WITH` (PostgreSQL): the acks of sends that finished and the
   * guard of the next window go to the database as one statement, each UPDATE fenced on its own.
   * Without it the engine writes them one after the other.
   */
  readonly writableCte: boolean;
  /**
   * How concurrent claims are kept apart: `row-locks` (`FOR UPDATE SKIP LOCKED`, across connections
   * and processes) or `single-writer` (the database runs one write at a time, as SQLite does).
   */
  readonly claimIsolation: 'row-locks' | 'single-writer';
  /** Quote a validated identifier. */
  quote(name: string): string;
  /** The n-th (1-based) parameter placeholder. */
  placeholder(n: number): string;
  /** The database's current time, in the column's representation. */
  now(kind: TimeKind): Sql;
  /** now + `ms` milliseconds (`ms` a number, bound as a parameter, or a fragment). */
  nowPlus(kind: TimeKind, ms: unknown): Sql;
  /** A time given as epoch milliseconds, in the column's representation. */
  fromEpochMs(kind: TimeKind, ms: unknown): Sql;
  /** Read a time expression as epoch milliseconds (a number), whatever its type. */
  epochMs(expression: Sql, kind: TimeKind): Sql;
  /** Read the payload column as JSON text. */
  payloadOut(column: Sql): Sql;
  /** Write JSON text into the payload column. */
  payloadIn(json: string, kind: PayloadKind): Sql;
  /** A boolean literal. */
  bool(value: boolean): Sql;
}

/**
 * The end of an exhaustive `switch` on a dialect's name: `name` is `never` once every dialect has a
 * case, so a new {@link SqlDialect} without one fails to compile here.
 */
export function unreachable(name: never): never {
  throw new Error(`@org/msgqueue-sql: no case for dialect ${String(name)}`);
}
