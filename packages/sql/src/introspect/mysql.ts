import { sql } from '../template.js';
import type { ColumnInfo, Introspector } from './introspector.js';

/** MySQL / MariaDB: information_schema.COLUMNS; an ENUM's values are read from COLUMN_TYPE. */
export const mysqlIntrospector: Introspector = {
  async columns(query, table) {
    const rows = await query(
      sql`SELECT COLUMN_NAME AS name, DATA_TYPE AS type, CHARACTER_MAXIMUM_LENGTH AS maxLength, COLUMN_TYPE AS columnType
       FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${table}`,
    );
    return rows.map((r): ColumnInfo => {
      const type = String(r.type).toLowerCase();
      return {
        name: String(r.name),
        type,
        maxLength: r.maxLength === null || r.maxLength === undefined ? null : Number(r.maxLength),
        // COLUMN_TYPE reads enum('PENDING','PROCESSING',…); values are plain literals (the mapping checks them).
        enumValues: type === 'enum' ? [...String(r.columnType).matchAll(/'((?:[^']|'')*)'/g)].map((m) => m[1]!.replace(/''/g, "'")) : null,
      };
    });
  },
  async uniqueIndexes(query, table) {
    const rows = await query(
      sql`SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ${table} AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    );
    const byIndex = new Map<string, string[]>();
    for (const r of rows) byIndex.set(String(r.name), [...(byIndex.get(String(r.name)) ?? []), String(r.col)]);
    return [...byIndex.values()];
  },
  async sessionOffsetMinutes(query) {
    const [row] = await query(sql`SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) AS m`);
    return Number(row?.m ?? 0);
  },
  families({ type }) {
    if (type === 'enum') return ['enum'];
    if (['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext'].includes(type)) return ['text'];
    // BOOLEAN is TINYINT(1); BIT(1) holds a boolean too.
    if (type === 'tinyint') return ['integer', 'boolean'];
    if (type === 'bit') return ['boolean'];
    if (['smallint', 'mediumint', 'int', 'integer', 'bigint'].includes(type)) return ['integer'];
    return [];
  },
  timeKind(type) {
    const t = type.toLowerCase();
    if (t === 'datetime') return 'mysql-datetime';
    if (t === 'timestamp') return 'mysql-timestamp';
    return null;
  },
  payloadKind(type) {
    const t = type.toLowerCase();
    if (t === 'json') return 'json';
    return ['longtext', 'mediumtext', 'text', 'varchar'].includes(t) ? 'text' : null;
  },
};
