/** Validating an operator's filter, and reading the rows it selects. */

import type { ResolvedOptions } from '../config/options.js';
import { bool, int, key } from '../config/validate.js';
import type { FindRequest, FindResult } from '../contract/adapter.js';
import type { MessageStatus } from '../contract/message.js';
import { invalidArgument } from '../errors/msgqueue-error.js';

const TEN_YEARS = 10 * 365 * 24 * 3600_000;

/** A checked filter. */
export interface Filter {
  ids?: string[];
  olderThanMs?: number;
  errorContains?: string;
  limit: number;
  dryRun: boolean;
}

/** Check the filter options every operator action shares. */
export function checkFilter(o: Record<string, unknown>, field: string): Filter {
  const f: Filter = {
    limit: int(o.limit, `${field}.limit`, 1, 100_000, 1000),
    dryRun: bool(o.dryRun, `${field}.dryRun`, false),
  };
  if (o.ids !== undefined) f.ids = checkIds(o.ids, `${field}.ids`);
  if (o.olderThanMs !== undefined) f.olderThanMs = int(o.olderThanMs, `${field}.olderThanMs`, 0, TEN_YEARS);
  if (o.errorContains !== undefined) {
    if (typeof o.errorContains !== 'string' || o.errorContains.length === 0 || o.errorContains.length > 1000) {
      throw invalidArgument(`${field}.errorContains`, 'expected a non-empty text of at most 1000 characters.');
    }
    f.errorContains = o.errorContains;
  }
  return f;
}

/** One id or a list of 1–10,000 ids (an IN list every database takes). */
export function checkIds(value: unknown, field: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.length > 10_000) {
    throw invalidArgument(field, 'expected a message id or a non-empty array of at most 10,000 ids.');
  }
  return [...new Set(list.map((id, i) => key(id, `${field}[${i}]`)))];
}

/** Statuses from a `status` option: one, or a list, each among `allowed`; `fallback` when absent. */
export function checkStatuses<S extends MessageStatus>(value: unknown, field: string, allowed: readonly S[], fallback: readonly S[]): S[] {
  if (value === undefined) return [...fallback];
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((s) => !allowed.includes(s as S))) {
    throw invalidArgument(
      field,
      `expected ${allowed.map((s) => `"${s}"`).join(' or ')} (or an array of them), got ${JSON.stringify(value)}.`,
    );
  }
  return [...new Set(list as S[])];
}

/** What narrows a selection beyond the shared filter: a group key, the possibly-sent flag, a page's offset. */
export type Narrowing = Partial<Pick<FindRequest, 'groupKey' | 'possiblySent' | 'offset'>>;

/** The rows of this queue the filter selects, in the given statuses; `more` when the limit was reached. */
export async function select(
  ctx: ResolvedOptions,
  statuses: readonly MessageStatus[],
  f: Filter,
  narrow: Narrowing = {},
): Promise<FindResult & { more: boolean }> {
  const found = await ctx.adapter.find({
    ...(narrow.groupKey !== undefined ? { groupKey: narrow.groupKey } : {}),
    ...(narrow.possiblySent !== undefined ? { possiblySent: narrow.possiblySent } : {}),
    ...(narrow.offset ? { offset: narrow.offset } : {}),
    queue: ctx.name,
    statuses,
    limit: f.limit,
    ...(f.ids ? { ids: f.ids } : {}),
    ...(f.olderThanMs !== undefined ? { olderThanMs: f.olderThanMs } : {}),
    ...(f.errorContains !== undefined ? { errorContains: f.errorContains } : {}),
  });
  return { ...found, more: found.rows.length >= f.limit };
}
