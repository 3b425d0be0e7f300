import { raw, sql } from '../template.js';
import type { Dialect } from './dialect.js';

const EPOCH = raw("'1970-01-01 00:00:00'");

/**
 * MySQL 8 / MariaDB 10.6+. DATETIME(3) holds UTC, so "now" is UTC_TIMESTAMP(3), never NOW() (the
 * session's zone). Epoch milliseconds are computed with TIMESTAMPDIFF, which ignores the session
 * zone; TIMESTAMP columns go through it, as MySQL does.
 */
export const mysql: Dialect = {
  name: 'mysql',
  returning: false,
  arrayParameters: false,
  writableCte: false,
  claimIsolation: 'row-locks',
  quote: (name) => `\`${name}\``,
  placeholder: () => '?',
  now: (kind) => raw(kind === 'mysql-timestamp' ? 'NOW(3)' : 'UTC_TIMESTAMP(3)'),
  nowPlus: (kind, ms) => sql`TIMESTAMPADD(MICROSECOND, ${ms} * 1000, ${mysql.now(kind)})`,
  fromEpochMs: (kind, ms) =>
    kind === 'mysql-timestamp' ? sql`FROM_UNIXTIME(${ms} / 1000)` : sql`TIMESTAMPADD(MICROSECOND, ${ms} * 1000, ${EPOCH})`,
  epochMs: (expression, kind) =>
    kind === 'mysql-timestamp'
      ? sql`CAST(ROUND(UNIX_TIMESTAMP(${expression}) * 1000) AS DOUBLE)`
      : sql`CAST(TIMESTAMPDIFF(MICROSECOND, ${EPOCH}, ${expression}) DIV 1000 AS DOUBLE)`,
  payloadOut: (column) => sql`CAST(${column} AS CHAR)`,
  payloadIn: (json) => sql`${json}`,
  bool: (value) => raw(value ? '1' : '0'),
};
