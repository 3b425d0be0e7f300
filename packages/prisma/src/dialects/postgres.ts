import type { ColumnInfo, Dialect, TimeKind } from './dialect.js';

/**
 * PostgreSQL. Times are compared in SQL on the server's clock. A `timestamp` column (Prisma's
 * default for DateTime) holds UTC wall time, so "now" is `now() AT TIME ZONE 'UTC'` there, never
 * the session's zone.
 */
export const postgres: Dialect = {
  provider: 'postgresql',
  quote: (name) => `"${name}"`,
  placeholder: (n) => `$${n}`,
  now: (kind) => (kind === 'pg-timestamptz' ? 'now()' : "(now() AT TIME ZONE 'UTC')"),
  nowPlus: (kind, ms) => `(${postgres.now(kind)} + (CAST(${ms} AS double precision) * INTERVAL '1 millisecond'))`,
  fromEpochMs: (kind, ms) =>
    kind === 'pg-timestamptz'
      ? `to_timestamp(CAST(${ms} AS double precision) / 1000)`
      : `(to_timestamp(CAST(${ms} AS double precision) / 1000) AT TIME ZONE 'UTC')`,
  // For `timestamp`, EXTRACT(EPOCH …) reads the wall time as UTC, which is what it holds.
  epochMs: (column) => `CAST(ROUND(EXTRACT(EPOCH FROM ${column}) * 1000) AS double precision)`,
  payloadOut: (column) => `CAST(${column} AS text)`,
  payloadIn: (value, kind) => (kind === 'text' ? value : `CAST(${value} AS ${kind})`),
  bool: (value) => (value ? 'TRUE' : 'FALSE'),
  async columns(client, table) {
    return client.$queryRawUnsafe<ColumnInfo[]>(
      `SELECT column_name AS "name",
              CASE WHEN data_type = 'USER-DEFINED' THEN 'enum:' || udt_name ELSE data_type END AS "type"
       FROM information_schema.columns
       WHERE table_schema = current_schema() AND table_name = $1`,
      table,
    );
  },
  timeKind(type): TimeKind | null {
    if (type === 'timestamp with time zone') return 'pg-timestamptz';
    if (type === 'timestamp without time zone') return 'pg-timestamp';
    return null;
  },
  payloadKind: (type) =>
    type === 'jsonb' ? 'jsonb' : type === 'json' ? 'json' : type === 'text' || type === 'character varying' ? 'text' : null,
};
