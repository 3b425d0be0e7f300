import type { ColumnInfo, Dialect, TimeKind } from './dialect.js';

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
  async columns(client, table) {
    return client.$queryRawUnsafe<ColumnInfo[]>(
      `SELECT COLUMN_NAME AS name, DATA_TYPE AS type FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
      table,
    );
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
