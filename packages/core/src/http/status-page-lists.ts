/**
 * The status page's message lists: which messages each shows, which filters it takes from the query
 * string, and which operator actions it offers — on the selected rows, or on every row its filter
 * matches where the action can select exactly by that filter.
 */
import type { MessageStatus } from '../contract/message.js';
import type { FindOptions } from '../operator/find.js';

/** The actions the page offers, by the name its forms post. */
export const ACTIONS = ['retry', 'mark-sent', 'release-stuck', 'purge', 'cancel', 'pause', 'resume'] as const;
/** One of {@link ACTIONS}. */
export type ActionName = (typeof ACTIONS)[number];

/** A list the page shows. */
export interface ListKind {
  label: string;
  /** What it is for, in a sentence under its title. */
  help: string;
  status: MessageStatus[];
  possiblySent?: boolean;
  /** Actions on the selected rows: their button labels. */
  onSelected: { action: ActionName; label: string; fields?: Record<string, string> }[];
  /** Actions on every row the filter matches, and the filters each can select by. */
  onMatching: { action: ActionName; label: string; filters: (keyof ListFilter)[]; fields?: Record<string, string> }[];
}

/** A list's name. */
export type ListName = 'failed' | 'held' | 'resend' | 'stuck' | 'pending' | 'sent' | 'cancelled';

/** The lists by the name in their URL (`/messages?queue=outbox&list=failed`). */
export const LISTS: Record<ListName, ListKind> = {
  failed: {
    label: 'Failed',
    help: 'Gave up after their last attempt, or failed for good. Retry once the cause is fixed; mark sent what the provider confirms it delivered.',
    status: ['FAILED'],
    onSelected: [
      { action: 'retry', label: 'Retry selected', fields: { status: 'FAILED' } },
      { action: 'mark-sent', label: 'Mark selected sent', fields: { allow_failed: '1' } },
    ],
    onMatching: [{ action: 'retry', label: 'Retry all matching', filters: ['error', 'olderThanMin'], fields: { status: 'FAILED' } }],
  },
  held: {
    label: 'Held for review',
    help: 'At-most-once messages whose send was in doubt: check with the provider, then mark sent or retry.',
    status: ['HELD'],
    onSelected: [
      { action: 'mark-sent', label: 'Mark selected sent' },
      { action: 'retry', label: 'Retry selected', fields: { status: 'HELD' } },
    ],
    onMatching: [{ action: 'retry', label: 'Retry all matching', filters: ['error', 'olderThanMin'], fields: { status: 'HELD' } }],
  },
  resend: {
    label: 'To resend, possibly sent',
    help: 'An earlier send may have arrived (its lease ran out after the guard): they go again with the same idempotency key.',
    status: ['PENDING', 'PROCESSING', 'SENDING'],
    possiblySent: true,
    onSelected: [{ action: 'cancel', label: 'Cancel selected' }],
    onMatching: [],
  },
  stuck: {
    label: 'In flight',
    help: 'Claimed and not finished: a live lease is a worker at work; an expired one the recycler takes back. Release only what you know is dead.',
    status: ['PROCESSING', 'SENDING'],
    onSelected: [{ action: 'release-stuck', label: 'Release selected' }],
    onMatching: [{ action: 'release-stuck', label: 'Release all matching', filters: ['olderThanMin'] }],
  },
  pending: {
    label: 'Pending',
    help: 'Waiting to be claimed (due now, or delayed until their due time).',
    status: ['PENDING'],
    onSelected: [{ action: 'cancel', label: 'Cancel selected' }],
    onMatching: [{ action: 'cancel', label: 'Cancel all matching', filters: ['group', 'error', 'olderThanMin'] }],
  },
  sent: {
    label: 'Sent',
    help: 'Delivered. Purge what you no longer need to keep.',
    status: ['SENT'],
    onSelected: [],
    onMatching: [{ action: 'purge', label: 'Purge all matching', filters: ['olderThanMin'], fields: { status: 'SENT' } }],
  },
  cancelled: {
    label: 'Cancelled',
    help: 'Cancelled by an operator before any send.',
    status: ['CANCELLED'],
    onSelected: [],
    onMatching: [{ action: 'purge', label: 'Purge all matching', filters: ['olderThanMin'], fields: { status: 'CANCELLED' } }],
  },
};

/** A list's filters as the query string gives them. */
export interface ListFilter {
  group: string;
  error: string;
  olderThanMin: string;
}

/** Rows per page. */
export const PAGE_SIZE = 50;

/** The list named in the query string (`failed` when absent or unknown). */
export function listOf(params: URLSearchParams): ListName {
  const name = params.get('list') ?? 'failed';
  return Object.hasOwn(LISTS, name) ? (name as ListName) : 'failed';
}

/** The filters of the query string, trimmed (empty: not set). */
export function filterOf(params: URLSearchParams): ListFilter {
  return {
    group: (params.get('group') ?? '').trim(),
    error: (params.get('error') ?? '').trim(),
    olderThanMin: (params.get('older_than') ?? '').trim(),
  };
}

/** The page number of the query string, from 1. */
export function pageOf(params: URLSearchParams): number {
  const n = Number(params.get('page') ?? '1');
  return Number.isInteger(n) && n >= 1 && n <= 20_000 ? n : 1;
}

/** What `Queue.find` is asked for a page of a list. */
export function findOptions(list: ListName, f: ListFilter, page: number): FindOptions {
  const kind = LISTS[list];
  const olderThan = minutesMs(f.olderThanMin) ?? undefined;
  return {
    status: kind.status,
    ...(kind.possiblySent !== undefined ? { possiblySent: kind.possiblySent } : {}),
    ...(f.group ? { groupKey: f.group } : {}),
    ...(f.error ? { errorContains: f.error } : {}),
    ...(olderThan !== undefined ? { olderThanMs: olderThan } : {}),
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  };
}

/** A whole number of minutes as a form writes it, in milliseconds; undefined when empty, null when not such a number. */
export function minutesMs(raw: string): number | null | undefined {
  const text = raw.trim();
  if (text === '') return undefined;
  return /^\d{1,7}$/.test(text) ? Number(text) * 60_000 : null;
}

/** The overview's address: the base itself (Next.js drops a trailing slash), or `/` at the root. */
export const home = (base: string): string => base || '/';

/** A query string of the non-empty values. */
export const qs = (params: Record<string, string | number>): string =>
  Object.entries(params)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');

/** The link to a list of a queue, with filters. */
export function listHref(base: string, queue: string, list: ListName, extra: Record<string, string | number> = {}): string {
  return `${base}/messages?${qs({ queue, list, ...extra })}`;
}
