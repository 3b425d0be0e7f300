/**
 * `@org/msgqueue`: claim, fence, recycle and diagnose the message table your cron handlers drain.
 *
 * @packageDocumentation
 */

export type * from './adapter.js';
export { backoffDelay } from './backoff.js';
export type { ClaimOptions } from './claim-batch.js';
export { CLAIM_TOKEN_LENGTH } from './claim-batch.js';
export type { Queue } from './create-queue.js';
export { createQueue } from './create-queue.js';
export type { DiagnoseOptions, DiagnoseReport, Finding, MessageSummary } from './diagnose.js';
export type { EnqueueItem, EnqueueOptions, EnqueueResult, WriteOptions } from './enqueue.js';
export * from './errors/index.js';
export type { QueueHooks } from './hooks.js';
export type { CronHandlerBody, CronHandlerOptions } from './http/cron-handler.js';
export { budgetFor, cronHandler } from './http/cron-handler.js';
export type { HandlerAuthOptions, HandlerErrorCode } from './http/guard.js';
export type { NodeHandlerOptions, NodeRequestLike, NodeResponseLike } from './http/node-handler.js';
export { toNodeHandler } from './http/node-handler.js';
export type { Reportable, StatusBody, StatusHandlerOptions } from './http/status-handler.js';
export { statusHandler } from './http/status-handler.js';
export type { Logger } from './logger.js';
export type { Clock } from './memory/clock.js';
export { ManualClock, systemClock } from './memory/clock.js';
export type { MemoryAdapterOptions } from './memory/memory-adapter.js';
export { memoryAdapter } from './memory/memory-adapter.js';
export type { MarkSentOptions } from './operator/mark-sent.js';
export type { OperatorResult, PlannedChange, PlanRefusal, PlanRow } from './operator/plan.js';
export type { PurgeOptions } from './operator/purge.js';
export type { RequeueManyOptions } from './operator/requeue-many.js';
export type { UnlockOptions } from './operator/unlock.js';
export type { AlertOptions, BackoffOptions, QueueOptions, ResolvedOptions, RetentionOptions } from './options.js';
export { LIMITS } from './options.js';
export { RECYCLE_REASONS } from './recycle-reasons.js';
export type { RecycleOptions, RecycleSummary } from './recycle-stuck.js';
export type { RunOnceOptions, RunSummary, SendBatchResult, SendContext } from './run-once.js';
export type { ExtendOptions, FailOptions, ReleaseOptions } from './settle.js';
export type { Telemetry } from './telemetry.js';
export type { Timers } from './timers.js';
export { ManualTimers, systemTimers } from './timers.js';
export * from './types.js';
