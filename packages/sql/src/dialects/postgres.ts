import { raw, sql } from '../template.js';
import type { Dialect } from './dialect.js';

// Truncated to the millisecond: a timestamptz(3) column rounds to the nearest millisecond, so an
// untruncated now() can be stored up to half a millisecond in the future — a message enqueued (or
// recycled) "due now" would then miss a claim made a moment later.
const NOW = raw("date_trunc('milliseconds', now())");
const NOW_UTC = raw("date_trunc('milliseconds', now() AT TIME ZONE 'UTC')");

/**
 * PostgreSQL. Times are compared in SQL on the server's clock. A `timestamp` column (Prisma's and
 * Drizzle's default for a date) holds UTC wall time, so "now" is `now() AT TIME ZONE 'UTC'` there,
 * never the session's zone.
 */
export const postgres: Dialect = {
  name: 'postgresql',
  returning: true,
  arrayParameters: true,
  writableCte: true,
  claimIsolation: 'row-locks',
  quote: (name) => `"${name}"`,
  placeholder: (n) => `$${n}`,
  now: (kind) => (kind === 'pg-timestamptz' ? NOW : NOW_UTC),
  nowPlus: (kind, ms) => sql`(${postgres.now(kind)} + (CAST(${ms} AS double precision) * INTERVAL '1 millisecond'))`,
  fromEpochMs: (kind, ms) =>
    kind === 'pg-timestamptz'
      ? sql`to_timestamp(CAST(${ms} AS double precision) / 1000)`
      : sql`(to_timestamp(CAST(${ms} AS double precision) / 1000) AT TIME ZONE 'UTC')`,
  // For `timestamp`, the epoch reads the wall time as UTC, which is what it holds. date_part answers
  // double precision; EXTRACT answers numeric since PostgreSQL 14, several times slower to compute.
  epochMs: (expression) => sql`round(date_part('epoch', ${expression}) * 1000)`,
  payloadOut: (column) => sql`CAST(${column} AS text)`,
  payloadIn: (json, kind) => (kind === 'text' ? sql`${json}` : sql`CAST(${json} AS ${raw(kind)})`),
  bool: (value) => raw(value ? 'TRUE' : 'FALSE'),
};
