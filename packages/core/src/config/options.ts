import type { StorageAdapter } from '../contract/adapter.js';
import type { DeliveryMode, GroupFailurePolicy } from '../contract/message.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import { mergeHooks, type QueueHooks } from '../observability/hooks.js';
import { type Logger, silentLogger } from '../observability/logger.js';
import type { Telemetry } from '../observability/telemetry.js';
import { type RateLimit, type ResolvedRateLimit, resolveRateLimits } from './rate-limit.js';
import { type ManualTimers, systemTimers, type Timers } from './timers.js';
import { bool, checkOptions, DATE_RANGE, int, oneOf } from './validate.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Options of {@link createQueue}. Every field but `adapter` has a default taken from the field. */
export interface QueueOptions {
  /** Where messages live: `memoryAdapter()`, `prismaAdapter(prisma, …)`, or your own. */
  adapter: StorageAdapter;
  /**
   * The queue's name. Queues with different names over one table are apart: each claims, recycles,
   * counts and dedupes only its own messages (over a mapped table without a queue column, the table
   * is one queue). Also names the queue in logs and in the cross-instance run lock. Default `"default"`.
   */
  name?: string;
  /** Messages per claim. Default 10 (a cron tick must finish inside the function's time budget). */
  batchSize?: number;
  /** How long a claim owns its messages before the recycler may take them back. Default 10 minutes. */
  leaseMs?: number;
  /** Claims per message before it ends FAILED. Counted at claim time. Default 3. */
  maxAttempts?: number;
  /**
   * How long a row that is PROCESSING or SENDING without a lease — left by other code, such as the
   * hand-rolled queue before the switch — must have gone unchanged (by its `updatedAt`) before
   * `recycleStuck` takes it back. Such a row may already have been sent, so it is treated like an
   * expired SENDING row: at-least-once resends it flagged `possiblySent`, at-most-once holds it.
   * Default: `leaseMs`, so rows the old code is still working on right after a deploy are left alone.
   */
  orphanGraceMs?: number;
  /** What an expired SENDING row becomes. Default `at-least-once`; see {@link DeliveryMode}. */
  deliveryMode?: DeliveryMode;
  /** What a FAILED or HELD message does to its group. Default `skip`; see {@link GroupFailurePolicy}. */
  groupFailurePolicy?: GroupFailurePolicy;
  /** `guardBeforeSend` refuses when less lease than this is left. Default 60 seconds, or half of `leaseMs` when that is shorter. */
  guardMarginMs?: number;
  /** Retry delays after a retryable failure: `min(maxMs, baseMs · 2^(attempts-1))`, with jitter. */
  backoff?: BackoffOptions;
  /** Largest payload accepted, in bytes of JSON. Default 256 KiB. */
  maxPayloadBytes?: number;
  /**
   * Deepest nesting of arrays and objects accepted in a payload. Default 31: MariaDB's JSON columns
   * store no deeper (MySQL 100; PostgreSQL and SQLite far more), so a payload that works on one
   * database works on all of them.
   */
  maxPayloadDepth?: number;
  /** Thresholds for `diagnose` alerts. */
  alerts?: AlertOptions;
  /**
   * Delete finished messages once they are this old, on every `runOnce` tick after its sends: 1,000
   * of each status at least, then more in steps of 1,000 while the tick's budget is not down to its
   * reserve (each step a short fenced statement). Default: keep them (purge by hand with `purge`).
   * SENT rows kept forever make the table, and `diagnose`, grow without end.
   */
  retention?: RetentionOptions;
  /**
   * Rate limits every process draining the queue shares, kept in the storage (the SQL adapters: in
   * the gates table): `{ max: 20, perMs: 1000 }` for the whole queue, `{ max: 1, perMs: 1000, key:
   * 'group' }` per group key, `key: (m) => m.payload.from` per sender; a list for several at once. A
   * tick sends nothing a limit does not allow yet: it claims only what the queue's limit lets it
   * send, gives a message whose key is at its limit back for when its key's next slot frees (its
   * attempt not counted), and waits for slots inside its time budget. Default: none.
   */
  rateLimit?: RateLimit | RateLimit[];
  /** A pino-shaped logger. Default: silent. */
  logger?: Logger;
  /** Typed hooks called after each event. */
  hooks?: QueueHooks;
  /**
   * Spans and metrics: `openTelemetry()` from `@org/msgqueue/opentelemetry`, or your own
   * {@link Telemetry}. Default: none, and nothing is measured.
   */
  telemetry?: Telemetry;
  /**
   * The clock and timers a tick keeps its budget and its sends' lease deadlines with. Default the
   * process's (`performance.now()`, `setTimeout`); in a test, {@link ManualTimers} to move time by hand.
   */
  timers?: Timers;
}

/** Exponential backoff with jitter. */
export interface BackoffOptions {
  /** First retry delay. Default 10 seconds. */
  baseMs?: number;
  /** Upper bound. Default 1 hour. */
  maxMs?: number;
  /** Randomise each delay within [50 %, 100 %] so retries of a burst spread out. Default true. */
  jitter?: boolean;
}

/**
 * How long finished messages are kept (see {@link QueueOptions.retention}).
 *
 * @category Operations
 */
export interface RetentionOptions {
  /** Delete SENT messages this long after they were sent (at least an hour). */
  sentMs?: number;
  /** Delete FAILED messages this long after they failed (keep them long enough for someone to look). */
  failedMs?: number;
  /** Delete CANCELLED messages this long after they were cancelled. */
  cancelledMs?: number;
}

/**
 * Thresholds for `diagnose`. Defaults from the post-mortem that started this library.
 *
 * @category Operations
 */
export interface AlertOptions {
  /** Alert when a message has been in flight longer than this. Default 30 minutes. */
  inFlightMs?: number;
  /** Window for counting failures. Default 24 hours. */
  failedWindowMs?: number;
  /** Alert when more than this many messages failed within the window. Default 10. */
  failedThreshold?: number;
}

/**
 * {@link QueueOptions} with every default filled in.
 *
 * @category Adapter contract
 */
export interface ResolvedOptions {
  adapter: StorageAdapter;
  name: string;
  batchSize: number;
  leaseMs: number;
  maxAttempts: number;
  deliveryMode: DeliveryMode;
  groupFailurePolicy: GroupFailurePolicy;
  guardMarginMs: number;
  backoff: Required<BackoffOptions>;
  maxPayloadBytes: number;
  maxPayloadDepth: number;
  orphanGraceMs: number;
  alerts: Required<AlertOptions>;
  /** Null fields keep those messages. */
  retention: { sentMs: number | null; failedMs: number | null; cancelledMs: number | null };
  /** Empty without limits; at most one with `key` null (the queue's own). */
  rateLimits: ResolvedRateLimit[];
  logger: Logger;
  hooks: QueueHooks;
  telemetry: Telemetry | null;
  timers: Timers;
}

/** Hard limits on option values; outside them is almost certainly a unit mistake. */
export const LIMITS = {
  batchSize: { min: 1, max: 1000 },
  leaseMs: { min: 1_000, max: DAY },
  maxAttempts: { min: 1, max: 1000 },
  delayMs: { min: 0, max: 365 * DAY },
  maxPayloadBytes: { min: 1, max: 16 * 1024 * 1024 },
  maxPayloadDepth: { min: 1, max: 1000 },
  /** Times every supported database stores in its date-time columns (MySQL DATETIME: years 1000–9999). */
  date: DATE_RANGE,
  priority: { min: -1_000_000, max: 1_000_000 },
} as const;

const QUEUE_KEYS = [
  'adapter',
  'name',
  'batchSize',
  'leaseMs',
  'maxAttempts',
  'deliveryMode',
  'groupFailurePolicy',
  'guardMarginMs',
  'backoff',
  'maxPayloadBytes',
  'maxPayloadDepth',
  'orphanGraceMs',
  'alerts',
  'retention',
  'rateLimit',
  'logger',
  'hooks',
  'telemetry',
  'timers',
] as const;

/** Validate {@link QueueOptions} and fill in defaults. Throws a {@link MsgQueueError} on bad input. */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (input === undefined) throw invalidArgument('options', 'createQueue needs an options object with an adapter.');
  const o = checkOptions<QueueOptions>(input, 'options', QUEUE_KEYS);
  const adapter = o.adapter;
  if (!isAdapter(adapter)) {
    throw invalidArgument('options.adapter', 'expected a storage adapter such as memoryAdapter() or prismaAdapter(prisma, …).');
  }
  const name = o.name ?? 'default';
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(name)) {
    throw invalidArgument('options.name', 'expected 1–64 letters, digits, "_", ".", ":" or "-".');
  }
  const leaseMs = int(o.leaseMs, 'options.leaseMs', LIMITS.leaseMs.min, LIMITS.leaseMs.max, 10 * MINUTE);
  const guardMarginMs = int(o.guardMarginMs, 'options.guardMarginMs', 0, leaseMs - 1, Math.min(MINUTE, Math.floor(leaseMs / 2)));
  const b = checkOptions<BackoffOptions>(o.backoff, 'options.backoff', ['baseMs', 'maxMs', 'jitter']);
  const baseMs = int(b.baseMs, 'options.backoff.baseMs', 0, LIMITS.delayMs.max, 10_000);
  const backoff = {
    baseMs,
    maxMs: int(b.maxMs, 'options.backoff.maxMs', baseMs, LIMITS.delayMs.max, Math.max(baseMs, HOUR)),
    jitter: bool(b.jitter, 'options.backoff.jitter', true),
  };
  const alerts = resolveAlerts(o.alerts, 'options.alerts', DEFAULT_ALERTS);
  const r = checkOptions<RetentionOptions>(o.retention, 'options.retention', ['sentMs', 'failedMs', 'cancelledMs']);
  const retention = {
    sentMs: r.sentMs === undefined ? null : int(r.sentMs, 'options.retention.sentMs', HOUR, 10 * 365 * DAY),
    failedMs: r.failedMs === undefined ? null : int(r.failedMs, 'options.retention.failedMs', HOUR, 10 * 365 * DAY),
    cancelledMs: r.cancelledMs === undefined ? null : int(r.cancelledMs, 'options.retention.cancelledMs', HOUR, 10 * 365 * DAY),
  };
  const logger = o.logger ?? silentLogger;
  for (const level of ['debug', 'info', 'warn', 'error'] as const) {
    if (typeof (logger as unknown as Record<string, unknown>)[level] !== 'function') {
      throw invalidArgument('options.logger', `expected a pino-shaped logger with a ${level}() method.`);
    }
  }
  const hooks = o.hooks ?? {};
  const hookNames = [
    'enqueued',
    'claimed',
    'guarded',
    'sent',
    'refused',
    'acked',
    'failed',
    'held',
    'recycled',
    'tick',
    'diagnosed',
    'gate',
  ];
  checkOptions(hooks, 'options.hooks', hookNames);
  for (const [k, v] of Object.entries(hooks)) {
    if (v !== undefined && typeof v !== 'function') throw invalidArgument(`options.hooks.${k}`, 'expected a function.');
  }
  const telemetry = o.telemetry ?? null;
  if (
    telemetry !== null &&
    (typeof telemetry !== 'object' || typeof telemetry.tick !== 'function' || typeof telemetry.send !== 'function')
  ) {
    throw invalidArgument(
      'options.telemetry',
      'expected openTelemetry() from @org/msgqueue/opentelemetry, or an object with tick() and send().',
    );
  }
  const timers = o.timers ?? systemTimers;
  if (
    typeof timers !== 'object' ||
    timers === null ||
    (['now', 'setTimeout', 'clearTimeout'] as const).some((m) => typeof timers[m] !== 'function')
  ) {
    throw invalidArgument('options.timers', 'expected new ManualTimers() (or an object with now(), setTimeout() and clearTimeout()).');
  }
  return {
    adapter,
    name,
    batchSize: int(o.batchSize, 'options.batchSize', LIMITS.batchSize.min, LIMITS.batchSize.max, 10),
    leaseMs,
    maxAttempts: int(o.maxAttempts, 'options.maxAttempts', LIMITS.maxAttempts.min, LIMITS.maxAttempts.max, 3),
    deliveryMode: oneOf(o.deliveryMode, 'options.deliveryMode', ['at-least-once', 'at-most-once'] as const, 'at-least-once'),
    groupFailurePolicy: oneOf(o.groupFailurePolicy, 'options.groupFailurePolicy', ['skip', 'block'] as const, 'skip'),
    guardMarginMs,
    backoff,
    maxPayloadBytes: int(o.maxPayloadBytes, 'options.maxPayloadBytes', LIMITS.maxPayloadBytes.min, LIMITS.maxPayloadBytes.max, 256 * 1024),
    maxPayloadDepth: int(o.maxPayloadDepth, 'options.maxPayloadDepth', LIMITS.maxPayloadDepth.min, LIMITS.maxPayloadDepth.max, 31),
    orphanGraceMs: int(o.orphanGraceMs, 'options.orphanGraceMs', 0, LIMITS.leaseMs.max, leaseMs),
    alerts,
    retention,
    rateLimits: resolveRateLimits(o.rateLimit, adapter),
    logger,
    hooks: mergeHooks(hooks, telemetry?.hooksFor?.(name)),
    telemetry,
    timers,
  };
}

/** The post-mortem's alert list: in flight over 30 minutes, more than 10 failures in 24 hours. */
const DEFAULT_ALERTS: Required<AlertOptions> = { inFlightMs: 30 * MINUTE, failedWindowMs: DAY, failedThreshold: 10 };

/** Validate alert thresholds at `field`, each absent one taken from `defaults`. */
export function resolveAlerts(input: unknown, field: string, defaults: Required<AlertOptions>): Required<AlertOptions> {
  const a = checkOptions<AlertOptions>(input, field, ['inFlightMs', 'failedWindowMs', 'failedThreshold']);
  return {
    inFlightMs: int(a.inFlightMs, `${field}.inFlightMs`, 1_000, 30 * DAY, defaults.inFlightMs),
    failedWindowMs: int(a.failedWindowMs, `${field}.failedWindowMs`, 1_000, 365 * DAY, defaults.failedWindowMs),
    failedThreshold: int(a.failedThreshold, `${field}.failedThreshold`, 0, 1_000_000_000, defaults.failedThreshold),
  };
}

function isAdapter(value: unknown): value is StorageAdapter {
  if (typeof value !== 'object' || value === null) return false;
  const a = value as Record<string, unknown>;
  return (
    ['insert', 'claim', 'guard', 'settle', 'extendLease', 'recycle', 'snapshot', 'get', 'retry', 'find', 'operate'].every(
      (m) => typeof a[m] === 'function',
    ) && typeof a.capabilities === 'object'
  );
}
