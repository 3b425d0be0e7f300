import { sql } from '../template.js';
import type { ColumnInfo, Introspector } from './introspector.js';

/** SQLite: pragma_table_info; declared types are read by SQLite's affinity rules. */
export const sqliteIntrospector: Introspector = {
  async columns(query, table) {
    const rows = await query(sql`SELECT name AS name, type AS type FROM pragma_table_info(${table})`);
    // SQLite does not enforce a declared length: every text column is unbounded.
    return rows.map((r): ColumnInfo => ({ name: String(r.name), type: String(r.type), maxLength: null, enumValues: null }));
  },
  async uniqueIndexes(query, table) {
    const rows = await query(
      sql`SELECT l.name AS name, i.name AS col FROM pragma_index_list(${table}) l, pragma_index_info(l.name) i
       WHERE l."unique" = 1 AND l.partial = 0 ORDER BY l.name, i.seqno`,
    );
    const byIndex = new Map<string, string[]>();
    for (const r of rows) byIndex.set(String(r.name), [...(byIndex.get(String(r.name)) ?? []), String(r.col)]);
    return [...byIndex.values()];
  },
  // SQLite's CURRENT_TIMESTAMP is UTC: there is no session time zone.
  sessionOffsetMinutes: async () => 0,
  families({ type }) {
    // https://sqlite.org/datatype3.html#determination_of_column_affinity
    const t = type.toUpperCase();
    if (t.includes('INT')) return ['integer', 'boolean'];
    if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT') || t === '') return ['text'];
    if (t === 'BOOLEAN' || t === 'BOOL') return ['boolean'];
    return [];
  },
  timeKind(type) {
    const t = type.toUpperCase();
    if (t === 'INTEGER' || t === 'BIGINT') return 'sqlite-epoch-ms';
    if (t === 'DATETIME' || t === 'TEXT' || t.startsWith('TIMESTAMP')) return 'sqlite-iso';
    return null;
  },
  payloadKind: (type) => (['TEXT', 'JSONB', 'JSON', ''].includes(type.toUpperCase()) ? 'text' : null),
};
