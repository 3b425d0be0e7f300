import type { Dialect, TimeKind } from './dialect.js';

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
  async sessionOffsetMinutes(client) {
    const [row] = await client.$queryRawUnsafe<{ m: unknown }[]>('SELECT CAST(EXTRACT(TIMEZONE FROM now()) AS integer) / 60 AS "m"');
    return Number(row?.m ?? 0);
  },
  async columns(client, table) {
    const rows = await client.$queryRawUnsafe<{ name: string; type: string; maxLength: unknown; labels: string | null }[]>(
      `SELECT c.column_name AS "name",
              CASE WHEN c.data_type = 'USER-DEFINED' THEN 'enum:' || c.udt_name ELSE c.data_type END AS "type",
              c.character_maximum_length AS "maxLength",
              (SELECT CAST(json_agg(e.enumlabel ORDER BY e.enumsortorder) AS text)
                 FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
                WHERE t.typname = c.udt_name AND c.data_type = 'USER-DEFINED') AS "labels"
       FROM information_schema.columns c
       WHERE c.table_schema = current_schema() AND c.table_name = $1`,
      table,
    );
    return rows.map((r) => ({
      name: String(r.name),
      type: String(r.type),
      maxLength: r.maxLength === null ? null : Number(r.maxLength),
      enumValues: r.labels === null ? null : (JSON.parse(r.labels) as string[]),
    }));
  },
  families({ type, enumValues }) {
    if (enumValues) return ['enum'];
    if (['text', 'character varying', 'character', 'citext'].includes(type)) return ['text'];
    if (['smallint', 'integer', 'bigint'].includes(type)) return ['integer'];
    if (type === 'boolean') return ['boolean'];
    return [];
  },
  timeKind(type): TimeKind | null {
    if (type === 'timestamp with time zone') return 'pg-timestamptz';
    if (type === 'timestamp without time zone') return 'pg-timestamp';
    return null;
  },
  payloadKind: (type) =>
    type === 'jsonb' ? 'jsonb' : type === 'json' ? 'json' : type === 'text' || type === 'character varying' ? 'text' : null,
};
