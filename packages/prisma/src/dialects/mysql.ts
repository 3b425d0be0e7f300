import type { Dialect, TimeKind } from './dialect.js';

/**
 * MySQL 8 / MariaDB 10.6+. Prisma writes DateTime into DATETIME(3) as UTC, so "now" is
 * UTC_TIMESTAMP(3), never NOW() (the session's zone). Epoch milliseconds are computed with
 * TIMESTAMPDIFF, which ignores the session zone; TIMESTAMP columns go through it, as MySQL does.
 */
export const mysql: Dialect = {
  provider: 'mysql',
  quote: (name) => `\`${name}\``,
  placeholder: () => '?',
  now: (kind) => (kind === 'mysql-timestamp' ? 'NOW(3)' : 'UTC_TIMESTAMP(3)'),
  nowPlus: (kind, ms) => `TIMESTAMPADD(MICROSECOND, ${ms} * 1000, ${mysql.now(kind)})`,
  fromEpochMs: (kind, ms) =>
    kind === 'mysql-timestamp' ? `FROM_UNIXTIME(${ms} / 1000)` : `TIMESTAMPADD(MICROSECOND, ${ms} * 1000, '1970-01-01 00:00:00')`,
  epochMs: (column, kind) =>
    kind === 'mysql-timestamp'
      ? `CAST(ROUND(UNIX_TIMESTAMP(${column}) * 1000) AS DOUBLE)`
      : `CAST(TIMESTAMPDIFF(MICROSECOND, '1970-01-01 00:00:00', ${column}) DIV 1000 AS DOUBLE)`,
  payloadOut: (column) => `CAST(${column} AS CHAR)`,
  payloadIn: (value) => value,
  bool: (value) => (value ? '1' : '0'),
  async sessionOffsetMinutes(client) {
    const [row] = await client.$queryRawUnsafe<{ m: unknown }[]>('SELECT TIMESTAMPDIFF(MINUTE, UTC_TIMESTAMP(), NOW()) AS m');
    return Number(row?.m ?? 0);
  },
  async columns(client, table) {
    const rows = await client.$queryRawUnsafe<{ name: string; type: string; maxLength: unknown; columnType: string }[]>(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS type, CHARACTER_MAXIMUM_LENGTH AS maxLength, COLUMN_TYPE AS columnType
       FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
      table,
    );
    return rows.map((r) => {
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
  families({ type }) {
    if (type === 'enum') return ['enum'];
    if (['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext'].includes(type)) return ['text'];
    // BOOLEAN is TINYINT(1); BIT(1) holds a boolean too.
    if (type === 'tinyint') return ['integer', 'boolean'];
    if (type === 'bit') return ['boolean'];
    if (['smallint', 'mediumint', 'int', 'integer', 'bigint'].includes(type)) return ['integer'];
    return [];
  },
  timeKind(type): TimeKind | null {
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
