import { raw, sql } from '../template.js';
import type { Dialect } from './dialect.js';

const ISO = raw("'%Y-%m-%dT%H:%M:%f+00:00'");
const NOW_MS = raw("CAST(ROUND((julianday('now') - 2440587.5) * 86400000.0) AS INTEGER)");

/**
 * SQLite. One writer at a time, so every operation is one autocommit statement (UPDATE …
 * RETURNING needs SQLite ≥ 3.35). Times are text in Prisma's default format
 * ('2026-01-01T09:00:00.000+00:00'), which sorts and compares as text; INTEGER columns hold
 * epoch milliseconds.
 */
export const sqlite: Dialect = {
  name: 'sqlite',
  returning: true,
  arrayParameters: false,
  writableCte: false,
  claimIsolation: 'single-writer',
  quote: (name) => `"${name}"`,
  placeholder: () => '?',
  now: (kind) => (kind === 'sqlite-epoch-ms' ? NOW_MS : sql`strftime(${ISO}, 'now')`),
  nowPlus: (kind, ms) =>
    kind === 'sqlite-epoch-ms' ? sql`(${NOW_MS} + ${ms})` : sql`strftime(${ISO}, 'now', (CAST(${ms} AS REAL) / 1000.0) || ' seconds')`,
  fromEpochMs: (kind, ms) => (kind === 'sqlite-epoch-ms' ? sql`${ms}` : sql`strftime(${ISO}, CAST(${ms} AS REAL) / 1000.0, 'unixepoch')`),
  epochMs: (expression, kind) =>
    kind === 'sqlite-epoch-ms' ? expression : sql`CAST(ROUND((julianday(${expression}) - 2440587.5) * 86400000.0) AS INTEGER)`,
  // An expression has no declared type, so the driver returns the text as stored.
  payloadOut: (column) => sql`CAST(${column} AS TEXT)`,
  payloadIn: (json) => sql`${json}`,
  bool: (value) => raw(value ? '1' : '0'),
};
