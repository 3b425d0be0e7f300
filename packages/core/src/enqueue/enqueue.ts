import { v7 as uuidv7 } from 'uuid';
import { LIMITS, type ResolvedOptions } from '../config/options.js';
import { checkOptions, date, int, key } from '../config/validate.js';
import type { InsertContext, InsertRecord } from '../contract/adapter.js';
import { invalidArgument, MsgQueueError } from '../errors/msgqueue-error.js';
import { callHook } from '../observability/hooks.js';
import { serializePayload } from './payload.js';

/** Options for one enqueued message. */
export interface EnqueueOptions {
  /** Claimable only after this many milliseconds (storage clock). Default 0. */
  delayMs?: number;
  /** Claimable only from this time. Exclusive with `delayMs`. */
  availableAt?: Date;
  /** Lower is claimed first. Default 0. */
  priority?: number;
  /**
   * Makes enqueue idempotent: while a message with this key exists (in any status), enqueueing
   * another with the same key writes nothing and answers `created: false` with the existing id.
   */
  dedupeKey?: string;
  /**
   * Ordered group: messages with the same key are delivered one at a time, in enqueue order
   * (a conversation id, a recipient). Messages without a key are not ordered. Enqueue order is the
   * storage's `createdAt`, then the id: generated ids are time-ordered, so it is call order within a
   * process; ids you supply yourself should sort in the order you enqueue them.
   */
  groupKey?: string;
  /** Use this id instead of a generated one (a time-ordered UUIDv7). */
  id?: string;
}

/** How a write is made. */
export interface WriteOptions {
  /**
   * Your open transaction, in your client's form — a Prisma interactive-transaction client (`tx` in
   * `prisma.$transaction(async (tx) => …)`), a `pg` client after `BEGIN`, a Kysely or Drizzle
   * transaction. The message is written through it, so it commits or rolls back with your own
   * writes (the transactional outbox). Needs an adapter with `capabilities.transactionalInsert`.
   */
  transaction?: unknown;
}

/** One message for {@link Queue.enqueueMany}. */
export interface EnqueueItem<P> extends EnqueueOptions {
  payload: P;
}

/** The answer of an enqueue: the message id, and whether a new message was written. */
export interface EnqueueResult {
  id: string;
  /** False when the dedupe key matched an existing message (nothing was written). */
  created: boolean;
}

const ENQUEUE_KEYS = ['delayMs', 'availableAt', 'priority', 'dedupeKey', 'groupKey', 'id'] as const;
const MAX_BATCH = 1000;

function toRecord(ctx: ResolvedOptions, payload: unknown, options: unknown, field: string): InsertRecord {
  const o = checkOptions<EnqueueOptions>(options, `${field}.options`, ENQUEUE_KEYS);
  if (o.delayMs !== undefined && o.availableAt !== undefined) {
    throw invalidArgument(`${field}.options`, 'give delayMs or availableAt, not both.');
  }
  return {
    queue: ctx.name,
    // UUIDv7: time-ordered and monotonic within the process, so ties on availableAt claim in enqueue order.
    id: o.id === undefined ? uuidv7() : key(o.id, `${field}.options.id`),
    payload: serializePayload(payload, `${field}.payload`, ctx.maxPayloadBytes, ctx.maxPayloadDepth),
    priority: int(o.priority, `${field}.options.priority`, LIMITS.priority.min, LIMITS.priority.max, 0),
    dedupeKey: o.dedupeKey === undefined ? null : key(o.dedupeKey, `${field}.options.dedupeKey`),
    groupKey: o.groupKey === undefined ? null : key(o.groupKey, `${field}.options.groupKey`),
    availableAt: date(o.availableAt, `${field}.options.availableAt`) ?? null,
    delayMs: int(o.delayMs, `${field}.options.delayMs`, LIMITS.delayMs.min, LIMITS.delayMs.max, 0),
  };
}

/** Enqueue one message. Validates everything before writing. */
export async function enqueue(ctx: ResolvedOptions, payload: unknown, options?: EnqueueOptions & WriteOptions): Promise<EnqueueResult> {
  const isObject = typeof options === 'object' && options !== null && !Array.isArray(options);
  const { transaction, ...rest } = (isObject ? options : {}) as EnqueueOptions & WriteOptions;
  const write = writeContext(ctx, { transaction }, 'enqueue.options');
  const [result] = await insert(ctx, [toRecord(ctx, payload, isObject ? rest : options, 'enqueue')], write);
  return result!;
}

/**
 * Enqueue many messages. All are validated before any is written; the answers are in input order.
 * Two items with the same id or dedupe key in one call are refused.
 */
export async function enqueueMany(ctx: ResolvedOptions, items: unknown, options?: WriteOptions): Promise<EnqueueResult[]> {
  const write = writeContext(ctx, checkOptions<WriteOptions>(options, 'enqueueMany.options', ['transaction']), 'enqueueMany.options');
  if (!Array.isArray(items)) throw invalidArgument('enqueueMany.items', 'expected an array of { payload, ...options }.');
  if (items.length > MAX_BATCH)
    throw invalidArgument('enqueueMany.items', `at most ${MAX_BATCH} items per call, got ${items.length}; split the call.`);
  const records = items.map((item, i) => {
    const field = `enqueueMany.items[${i}]`;
    if (typeof item !== 'object' || item === null || !('payload' in item)) {
      throw invalidArgument(field, 'expected { payload, ...options }.');
    }
    const { payload, ...options } = item as EnqueueItem<unknown>;
    return toRecord(ctx, payload, options, field);
  });
  const ids = new Set<string>();
  const keys = new Set<string>();
  records.forEach((r, i) => {
    if (ids.has(r.id)) throw invalidArgument(`enqueueMany.items[${i}].options.id`, `id ${r.id} appears twice in this call.`);
    ids.add(r.id);
    if (r.dedupeKey !== null) {
      if (keys.has(r.dedupeKey))
        throw invalidArgument(`enqueueMany.items[${i}].options.dedupeKey`, `dedupe key ${r.dedupeKey} appears twice in this call.`);
      keys.add(r.dedupeKey);
    }
  });
  return records.length === 0 ? [] : insert(ctx, records, write);
}

/** The insert context for a write, refusing a transaction the adapter cannot write through. */
function writeContext(ctx: ResolvedOptions, options: WriteOptions | undefined, field: string): InsertContext | undefined {
  if (options?.transaction === undefined) return undefined;
  if (options.transaction === null || typeof options.transaction !== 'object') {
    throw invalidArgument(`${field}.transaction`, 'expected your open transaction (a transaction client or connection object).');
  }
  if (!ctx.adapter.capabilities.transactionalInsert) {
    throw invalidArgument(
      `${field}.transaction`,
      `the ${ctx.adapter.name} adapter cannot write through your transaction (capabilities.transactionalInsert is false).`,
    );
  }
  return { transaction: options.transaction };
}

async function insert(ctx: ResolvedOptions, records: InsertRecord[], write?: InsertContext): Promise<EnqueueResult[]> {
  const outcomes = await ctx.adapter.insert(records, write);
  if (outcomes.length !== records.length) {
    throw new MsgQueueError(
      'ADAPTER_CONTRACT',
      `${ctx.adapter.name}.insert answered ${outcomes.length} outcomes for ${records.length} records.`,
    );
  }
  const ids = outcomes.filter((o) => o.created).map((o) => o.id);
  ctx.logger.debug({ queue: ctx.name, count: records.length, created: ids.length }, 'msgqueue: enqueued');
  callHook(ctx.hooks, ctx.logger, 'enqueued', { ids, duplicates: outcomes.length - ids.length });
  return outcomes.map((o) => ({ id: o.id, created: o.created }));
}
