import type { ClaimRequest, InsertOutcome, InsertRecord } from '@org/msgqueue';
import type { RawRow } from '../rows.js';
import type { Params, TableSql } from '../table-sql.js';

/** A compare-and-set UPDATE: `SET` and `WHERE` texts with their parameters (SET's added first). */
export interface CasUpdate {
  set: string;
  where: string;
  params: Params;
  /** The row's id, to read it back where the database has no UPDATE … RETURNING. */
  id: string;
}

/** A recycle step over rows of one in-flight status. */
export interface RecycleStep {
  /** The SET list; its parameters are in `params`, added before anything else. */
  set: string;
  params: Params;
  /** Which rows (`status = …` and `lease_until < now`, say): re-checked in the UPDATE itself. No placeholders. */
  where: string;
  /** The column to take rows in order of (oldest first). */
  order: string;
  limit: number;
}

/**
 * The operations whose SQL shape differs per database. PostgreSQL and SQLite share one
 * implementation built on UPDATE … RETURNING; MySQL/MariaDB use short transactions.
 */
export interface Executor {
  insert(sql: TableSql, records: readonly InsertRecord[]): Promise<InsertOutcome[]>;
  claim(sql: TableSql, request: ClaimRequest): Promise<RawRow[]>;
  /** Run the compare-and-set; the row after it, or null when no row matched. */
  update(sql: TableSql, update: CasUpdate): Promise<RawRow | null>;
  /** Move up to `limit` expired rows; returns `{ id, status }` of each moved row. */
  recycle(sql: TableSql, step: RecycleStep): Promise<RawRow[]>;
  /** Take or renew the named lock; true when taken. */
  acquireLock(sql: TableSql, name: string, owner: string, ttlMs: number): Promise<boolean>;
}
