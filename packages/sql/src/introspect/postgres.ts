import { sql } from '../template.js';
import type { ColumnInfo, Introspector } from './introspector.js';

/** PostgreSQL: information_schema for columns and lengths, pg_enum for an enum's labels. */
export const postgresIntrospector: Introspector = {
  async columns(query, table) {
    const rows = await query(
      sql`SELECT c.column_name AS "name",
              CASE WHEN c.data_type = 'USER-DEFINED' THEN 'enum:' || c.udt_name ELSE c.data_type END AS "type",
              c.character_maximum_length AS "maxLength",
              (SELECT CAST(json_agg(e.enumlabel ORDER BY e.enumsortorder) AS text)
                 FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
                WHERE t.typname = c.udt_name AND c.data_type = 'USER-DEFINED') AS "labels"
       FROM information_schema.columns c
       WHERE c.table_schema = current_schema() AND c.table_name = ${table}`,
    );
    return rows.map(
      (r): ColumnInfo => ({
        name: String(r.name),
        type: String(r.type),
        maxLength: r.maxLength === null || r.maxLength === undefined ? null : Number(r.maxLength),
        enumValues: r.labels === null || r.labels === undefined ? null : (JSON.parse(String(r.labels)) as string[]),
      }),
    );
  },
  async uniqueIndexes(query, table) {
    const rows = await query(
      sql`SELECT CAST(json_agg(a.attname ORDER BY k.ord) AS text) AS "columns"
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid AND c.relname = ${table} AND c.relnamespace = CAST(current_schema() AS regnamespace)
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
       WHERE i.indisunique AND i.indpred IS NULL
       GROUP BY i.indexrelid`,
    );
    return rows.map((r) => JSON.parse(String(r.columns)) as string[]);
  },
  async sessionOffsetMinutes(query) {
    const [row] = await query(sql`SELECT CAST(EXTRACT(TIMEZONE FROM now()) AS integer) / 60 AS "m"`);
    return Number(row?.m ?? 0);
  },
  families({ type, enumValues }) {
    if (enumValues) return ['enum'];
    if (['text', 'character varying', 'character', 'citext'].includes(type)) return ['text'];
    if (['smallint', 'integer', 'bigint'].includes(type)) return ['integer'];
    if (type === 'boolean') return ['boolean'];
    return [];
  },
  timeKind(type) {
    if (type === 'timestamp with time zone') return 'pg-timestamptz';
    if (type === 'timestamp without time zone') return 'pg-timestamp';
    return null;
  },
  payloadKind: (type) =>
    type === 'jsonb' ? 'jsonb' : type === 'json' ? 'json' : type === 'text' || type === 'character varying' ? 'text' : null,
};
