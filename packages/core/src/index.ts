/**
 * `@org/msgqueue`: claim, fence, recycle and diagnose the message table your cron handlers drain.
 *
 * @packageDocumentation
 */

export type { AlertOptions, BackoffOptions, QueueOptions, ResolvedOptions, RetentionOptions } from './config/options.js';
export { LIMITS } from './config/options.js';
export type { RateLimit, ResolvedRateLimit } from './config/rate-limit.js';
export type { Timers } from './config/timers.js';
export { ManualTimers, systemTimers } from './config/timers.js';
export { checkOptions } from './config/validate.js';
export type * from './contract/adapter.js';
export * from './contract/message.js';
export { RECYCLE_REASONS } from './contract/recycle-reasons.js';
export type {
  AtRateLimit,
  DiagnoseReport,
  Finding,
  MessageSummary,
  RecycleSummary,
  RunSummary,
  SendBatchResult,
  SendContext,
} from './contract/results.js';
export type { EnqueueItem, EnqueueOptions, EnqueueResult, WriteOptions } from './enqueue/enqueue.js';
export * from './errors/index.js';
export type { GateOptions } from './flow/gates.js';
export type { HandlerAuthOptions, HandlerErrorCode } from './http/auth.js';
export type { CronHandlerBody, CronHandlerOptions } from './http/cron-handler.js';
export { budgetFor, cronHandler } from './http/cron-handler.js';
export type { NodeHandlerOptions, NodeRequestLike, NodeResponseLike } from './http/node-handler.js';
export { toNodeHandler } from './http/node-handler.js';
export type { Reportable, StatusBody, StatusHandlerOptions } from './http/status-handler.js';
export { statusHandler } from './http/status-handler.js';
export type { StatusPageOptions } from './http/status-page.js';
export { statusPage } from './http/status-page.js';
export type { Clock } from './memory/clock.js';
export { ManualClock, systemClock } from './memory/clock.js';
export type { MemoryAdapterOptions } from './memory/memory-adapter.js';
export { memoryAdapter } from './memory/memory-adapter.js';
export type { QueueHooks } from './observability/hooks.js';
export type { Logger } from './observability/logger.js';
export type { Telemetry } from './observability/telemetry.js';
export type { CancelOptions } from './operator/cancel.js';
export type { DiagnoseOptions } from './operator/diagnose.js';
export type { FindOptions, FoundMessages } from './operator/find.js';
export type { MarkSentOptions } from './operator/mark-sent.js';
export type { OperatorResult, PlannedChange, PlanRefusal, PlanRow } from './operator/plan.js';
export type { PurgeOptions } from './operator/purge.js';
export type { ReleaseStuckOptions } from './operator/release-stuck.js';
export type { RetryManyOptions } from './operator/retry-many.js';
export type { Queue } from './queue/create-queue.js';
export { createQueue } from './queue/create-queue.js';
export type { RunOnceOptions } from './tick/run-once.js';
export type { WorkOptions, WorkSummary } from './tick/work.js';
export { backoffDelay } from './worker/backoff.js';
export type { ClaimOptions } from './worker/claim-batch.js';
export { CLAIM_TOKEN_LENGTH } from './worker/claim-batch.js';
export type { RecycleOptions } from './worker/recycle-stuck.js';
export type { ExtendOptions, FailOptions, ReleaseOptions } from './worker/settle.js';
