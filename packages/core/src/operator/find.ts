/** Reading a queue's messages as an operator does: filtered, a page at a time, never the payload. */

import type { ResolvedOptions } from '../config/options.js';
import { bool, checkOptions, int, key } from '../config/validate.js';
import type { FoundRow } from '../contract/adapter.js';
import { MESSAGE_STATUSES, type MessageStatus } from '../contract/message.js';
import type { MessageSummary } from '../contract/results.js';
import { checkFilter, checkStatuses, select } from './select.js';

/**
 * Options of {@link Queue.find}.
 *
 * @category Operations
 */
export interface FindOptions {
  /** One status or a list. Default: every status. */
  status?: MessageStatus | MessageStatus[];
  /** Only these messages. */
  ids?: string | string[];
  /** Only messages of this group key. */
  groupKey?: string;
  /** Only those whose `lastError` contains this text (case-sensitive). */
  errorContains?: string;
  /** Only those whose last change is at least this old. */
  olderThanMs?: number;
  /** Only those flagged possibly sent (`true`: what waits to be resent after a send in doubt), or not. */
  possiblySent?: boolean;
  /** At most this many, oldest change first (then id) — the order operator actions take them in. Default 50, at most 1000. */
  limit?: number;
  /** Skip this many of that order first: the next page is `offset + limit`. Default 0, at most 1,000,000. */
  offset?: number;
}

/**
 * A page of messages as {@link Queue.find} read it.
 *
 * @category Operations
 */
export interface FoundMessages {
  /** The storage's clock when it read them (ages are measured against it). */
  now: Date;
  /** The messages, without their payload. */
  messages: MessageSummary[];
  /** True when there are more after this page. */
  more: boolean;
}

/** A message as an operator sees it, without its payload. */
export function summaryOf(r: FoundRow): MessageSummary {
  return {
    id: r.id,
    status: r.status,
    groupKey: r.groupKey,
    attempts: r.attempts,
    availableAt: r.availableAt,
    leaseUntil: r.leaseUntil,
    possiblySent: r.possiblySent,
    lastError: r.lastError,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** Read a page of the queue's messages that the filter selects. */
export async function find(ctx: ResolvedOptions, options: FindOptions = {}): Promise<FoundMessages> {
  const field = 'find.options';
  const o = checkOptions<FindOptions>(options, field, [
    'status',
    'ids',
    'groupKey',
    'errorContains',
    'olderThanMs',
    'possiblySent',
    'limit',
    'offset',
  ]);
  const statuses = checkStatuses(o.status, `${field}.status`, MESSAGE_STATUSES, MESSAGE_STATUSES);
  const f = checkFilter({ ids: o.ids, olderThanMs: o.olderThanMs, errorContains: o.errorContains }, field);
  const limit = int(o.limit, `${field}.limit`, 1, 1000, 50);
  const offset = int(o.offset, `${field}.offset`, 0, 1_000_000, 0);
  // One row past the page says whether there are more.
  const found = await select(
    ctx,
    statuses,
    { ...f, limit: limit + 1 },
    {
      offset,
      ...(o.groupKey !== undefined ? { groupKey: key(o.groupKey, `${field}.groupKey`) } : {}),
      ...(o.possiblySent !== undefined ? { possiblySent: bool(o.possiblySent, `${field}.possiblySent`, false) } : {}),
    },
  );
  return { now: found.now, messages: found.rows.slice(0, limit).map(summaryOf), more: found.more };
}
