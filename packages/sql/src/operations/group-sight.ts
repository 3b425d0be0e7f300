/**
 * Whether the table may hold grouped rows. While it holds none, claims take ungrouped rows only and
 * skip the group rule's probe (an index scan set up on every claim, about a tenth of a claim's cost
 * on PostgreSQL). A claim that skips it can never take a grouped row, so the rule always holds; a
 * grouped row waits at most until the next look: at most a second, and at once when a claim without
 * the probe comes back short (grouped rows may be all that is due).
 */
import type { Table } from '../table.js';
import { sql } from '../template.js';
import type { Db } from './db.js';

/** Whether a claim applies the group rule (`probe`) or takes ungrouped rows only (`none`). */
export type GroupRule = 'probe' | 'none';

/** How long one look at the table is trusted. */
const LOOK_MS = 1000;

export class GroupSight {
  private lookedAt = Number.NEGATIVE_INFINITY;
  private grouped = true;

  /** The rule the next claim applies: `probe` while grouped rows may exist, else `none`. */
  async rule(db: Db, t: Table): Promise<GroupRule> {
    if (!t.has('groupKey')) return 'probe'; // no group column: the rule is `1 = 1` already
    if (Date.now() - this.lookedAt > LOOK_MS) await this.look(db, t);
    return this.grouped ? 'probe' : 'none';
  }

  /** Look now (one probe of the group index); answers whether grouped rows exist. */
  async look(db: Db, t: Table): Promise<boolean> {
    const rows = await db.rows(sql`SELECT 1 AS ${t.alias('one')} FROM ${t.name} WHERE ${t.col('groupKey')} IS NOT NULL LIMIT 1`, true);
    this.grouped = rows.length > 0;
    this.lookedAt = Date.now();
    return this.grouped;
  }
}
