/**
 * The run lock that keeps overlapping cron ticks apart across instances: one row per lock name in
 * the lock table, held by `owner` until `expires_at` (the database's clock), so a crashed holder
 * cannot keep it.
 *
 * PostgreSQL and SQLite: one upsert that takes the row only when it lapsed or is already ours, and
 * reports whether it did. MySQL/MariaDB: an upsert that keeps the row unless it lapsed or is ours,
 * then a read of its owner (the affected-row count of ON DUPLICATE KEY UPDATE differs between
 * clients, so it is not trusted).
 */

import { unreachable } from '../dialects/dialect.js';
import type { Table } from '../table.js';
import { raw, sql } from '../template.js';
import type { Db } from './db.js';

export async function acquireRunLock(db: Db, t: Table, name: string, owner: string, ttlMs: number): Promise<boolean> {
  const d = db.dialect;
  const kind = t.schema.lockExpiresAt!;
  const lock = raw(d.quote(t.mapping.lockTable!));
  const expires = d.nowPlus(kind, ttlMs);
  const dialect = d.name;
  switch (dialect) {
    case 'postgresql':
    case 'sqlite': {
      const taken = await db.rows(
        sql`INSERT INTO ${lock} (name, owner, expires_at) VALUES (${name}, ${owner}, ${expires})
        ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE ${lock}.expires_at < ${d.now(kind)} OR ${lock}.owner = excluded.owner
        RETURNING owner`,
        true,
      );
      return taken.length === 1;
    }
    case 'mysql': {
      // MySQL applies the assignments in order, each seeing the ones before: owner first.
      const free = sql`(expires_at < ${d.now(kind)} OR owner = ${owner})`;
      await db.count(sql`INSERT INTO ${lock} (name, owner, expires_at) VALUES (${name}, ${owner}, ${expires})
        ON DUPLICATE KEY UPDATE owner = IF(${free}, ${owner}, owner), expires_at = IF(owner = ${owner}, ${d.nowPlus(kind, ttlMs)}, expires_at)`);
      const [row] = await db.rows(sql`SELECT owner FROM ${lock} WHERE name = ${name}`);
      return row?.owner === owner;
    }
    default:
      return unreachable(dialect);
  }
}

export async function releaseRunLock(db: Db, t: Table, name: string, owner: string): Promise<void> {
  await db.count(sql`DELETE FROM ${raw(db.dialect.quote(t.mapping.lockTable!))} WHERE name = ${name} AND owner = ${owner}`, true);
}
