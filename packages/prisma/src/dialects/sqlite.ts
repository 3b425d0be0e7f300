import type { Dialect, TimeKind } from './dialect.js';

const ISO = "'%Y-%m-%dT%H:%M:%f+00:00'";

/**
 * SQLite. One writer at a time, so every operation is one autocommit statement (UPDATE …
 * RETURNING needs SQLite ≥ 3.35). Times are text in Prisma's default format
 * ('2026-01-01T09:00:00.000+00:00'), which sorts and compares as text; INTEGER columns hold
 * epoch milliseconds.
 */
export const sqlite: Dialect = {
  provider: 'sqlite',
  quote: (name) => `"${name}"`,
  placeholder: () => '?',
  now: (kind) =>
    kind === 'sqlite-epoch-ms' ? "CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)" : `strftime(${ISO}, 'now')`,
  nowPlus: (kind, ms) =>
    kind === 'sqlite-epoch-ms' ? `(${sqlite.now(kind)} + ${ms})` : `strftime(${ISO}, 'now', (CAST(${ms} AS REAL) / 1000.0) || ' seconds')`,
  fromEpochMs: (kind, ms) => (kind === 'sqlite-epoch-ms' ? ms : `strftime(${ISO}, CAST(${ms} AS REAL) / 1000.0, 'unixepoch')`),
  epochMs: (column, kind) =>
    kind === 'sqlite-epoch-ms' ? column : `CAST(ROUND((julianday(${column}) - 2440587.5) * 86400000.0) AS INTEGER)`,
  // An expression has no declared type, so the driver returns the text as stored.
  payloadOut: (column) => `CAST(${column} AS TEXT)`,
  payloadIn: (value) => value,
  bool: (value) => (value ? '1' : '0'),
  // SQLite's CURRENT_TIMESTAMP is UTC: there is no session time zone.
  sessionOffsetMinutes: async () => 0,
  async columns(client, table) {
    const rows = await client.$queryRawUnsafe<{ name: string; type: string }[]>(
      'SELECT name AS name, type AS type FROM pragma_table_info(?)',
      table,
    );
    // SQLite does not enforce a declared length: every text column is unbounded.
    return rows.map((r) => ({ name: String(r.name), type: String(r.type), maxLength: null, enumValues: null }));
  },
  families({ type }) {
    // SQLite's type affinity rules (https://sqlite.org/datatype3.html#determination_of_column_affinity).
    const t = type.toUpperCase();
    if (t.includes('INT')) return ['integer', 'boolean'];
    if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT') || t === '') return ['text'];
    if (t === 'BOOLEAN' || t === 'BOOL') return ['boolean'];
    return [];
  },
  timeKind(type): TimeKind | null {
    const t = type.toUpperCase();
    if (t === 'INTEGER' || t === 'BIGINT') return 'sqlite-epoch-ms';
    if (t === 'DATETIME' || t === 'TEXT' || t.startsWith('TIMESTAMP')) return 'sqlite-iso';
    return null;
  },
  payloadKind: (type) => (['TEXT', 'JSONB', 'JSON', ''].includes(type.toUpperCase()) ? 'text' : null),
};
