/**
 * An operator's action as a plan: the rows a filter selects, what would happen to each, and — unless
 * it is a dry run — that plan applied, each row fenced on the state it was read in. A dry run and
 * `dryRun: false` compute the same plan; the second applies exactly it.
 */

import type { ResolvedOptions } from '../config/options.js';
import type { FoundRow, OperateItem, OperateRequest } from '../contract/adapter.js';
import type { MessageStatus } from '../contract/message.js';

/**
 * What an operator action does to one row.
 *
 * @category Operations
 */
export type PlannedChange = MessageStatus | 'DELETED';

/**
 * One row of a plan: what an operator needs to judge it, never the payload.
 *
 * @category Operations
 */
export interface PlanRow {
  id: string;
  /** Its status when read. */
  status: MessageStatus;
  /** What the action does to it. */
  to: PlannedChange;
  attempts: number;
  /** Time since its last state change, on the storage's clock. */
  ageMs: number;
  /** Lease left (negative: expired) for a row in flight with a lease; null otherwise. */
  leaseLeftMs: number | null;
  /**
   * Whether it may have been sent: it passed the pre-send guard (SENDING now, HELD, or flagged
   * possibly sent), or it is in flight without a lease (left by other code, which may have sent it).
   */
  reachedSending: boolean;
  possiblySent: boolean;
  lastError: string | null;
}

/**
 * A row the filter selected that the action leaves alone, and why.
 *
 * @category Operations
 */
export interface PlanRefusal {
  id: string;
  status: MessageStatus | null;
  /** `not-found`, `wrong-status`, `lease-live` (a worker may hold it: `force`), `sending-needs-decision` (say `sending`). */
  reason: 'not-found' | 'wrong-status' | 'lease-live' | 'sending-needs-decision';
  detail: string;
}

/**
 * What an operator action did, or — with `dryRun` — would do.
 *
 * @category Operations
 */
export interface OperatorResult {
  action: 'retry' | 'mark-sent' | 'release-stuck' | 'purge' | 'cancel';
  dryRun: boolean;
  /** The rows the action applies to (in a dry run: would apply to), each with its transition. */
  rows: PlanRow[];
  /** Rows changed (0 in a dry run). */
  changed: number;
  /** Rows of the plan that moved between being read and the change: left as they were. */
  skipped: string[];
  /** Rows the action selected but will not touch, with why. */
  refused: PlanRefusal[];
  /** True when the filter matched `limit` rows: run again for more. */
  more: boolean;
}

/** A row as a plan shows it. */
export function planRow(record: FoundRow, to: PlannedChange, now: Date): PlanRow {
  const t = now.getTime();
  return {
    id: record.id,
    status: record.status,
    to,
    attempts: record.attempts,
    ageMs: Math.max(0, t - record.updatedAt.getTime()),
    leaseLeftMs:
      record.leaseUntil && (record.status === 'PROCESSING' || record.status === 'SENDING') ? record.leaseUntil.getTime() - t : null,
    reachedSending:
      record.status === 'SENDING' ||
      record.status === 'HELD' ||
      record.possiblySent ||
      (record.status === 'PROCESSING' && record.leaseUntil === null),
    possiblySent: record.possiblySent,
    lastError: record.lastError,
  };
}

/** The fence of a row: the state it was read in. */
export const fenceOf = (r: FoundRow): OperateItem => ({
  id: r.id,
  status: r.status,
  claimToken: r.claimToken,
  attempts: r.attempts,
  updatedAt: r.updatedAt,
});

/** One transition of a plan, for the rows that take it. */
export interface Step {
  records: FoundRow[];
  change: Omit<OperateRequest, 'queue' | 'items'>;
}

/**
 * Apply the steps (unless `dryRun`) and build the result. Each step is one `operate` call: a row
 * that moved since it was read is skipped, never forced.
 */
export async function carryOut(
  ctx: ResolvedOptions,
  action: OperatorResult['action'],
  { dryRun, rows, steps, refused, more }: { dryRun: boolean; rows: PlanRow[]; steps: Step[]; refused: PlanRefusal[]; more: boolean },
): Promise<OperatorResult> {
  const result: OperatorResult = { action, dryRun, rows, changed: 0, skipped: [], refused, more };
  if (dryRun) return result;
  for (const step of steps) {
    if (step.records.length === 0) continue;
    const changed = await ctx.adapter.operate({ queue: ctx.name, items: step.records.map(fenceOf), ...step.change });
    step.records.forEach((r, i) => {
      if (changed[i]) result.changed++;
      else result.skipped.push(r.id);
    });
  }
  if (result.changed > 0 || result.skipped.length > 0) {
    ctx.logger.warn(
      { queue: ctx.name, action, changed: result.changed, skipped: result.skipped.length, refused: refused.length },
      `msgqueue: operator ${action}: ${result.changed} message(s) changed`,
    );
  }
  return result;
}
