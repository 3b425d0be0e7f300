/**
 * The names of the queues that have messages in the table, for an operator's tools (the CLI's
 * default of reporting every queue, a status page). One index seek per name, however many rows:
 * a recursive "next name after this one" over the indexes that lead with the queue column, the
 * same statement on every dialect (PostgreSQL, MySQL 8 / MariaDB 10.2+, SQLite 3.8+).
 */
import type { Table } from '../table.js';
import { sql } from '../template.js';
import type { Db } from './db.js';

/** The queue names, sorted by the database; null for a table without a queue column (it holds one queue). */
export async function queueNames(db: Db, t: Table): Promise<string[] | null> {
  if (!t.has('queue')) return null;
  const q = t.col('queue');
  const rows = await db.rows(
    sql`WITH RECURSIVE names(name) AS (
      SELECT MIN(${q}) FROM ${t.name}
      UNION ALL
      SELECT (SELECT MIN(${q}) FROM ${t.name} WHERE ${q} > names.name) FROM names WHERE names.name IS NOT NULL
    ) SELECT name FROM names WHERE name IS NOT NULL`,
    true,
  );
  return rows.map((row) => String(row.name));
}
