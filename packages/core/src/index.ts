/**
 * `@org/msgqueue`: claim, fence, recycle and diagnose the message table your cron handlers drain.
 *
 * @packageDocumentation
 */
export { createQueue } from './create-queue.js';
export type { Queue } from './create-queue.js';
export type { QueueOptions, BackoffOptions, AlertOptions, ResolvedOptions } from './options.js';
export { LIMITS } from './options.js';
export type { EnqueueOptions, EnqueueItem, EnqueueResult } from './enqueue.js';
export type { ClaimOptions } from './claim-batch.js';
export type { FailOptions, ReleaseOptions, ExtendOptions } from './settle.js';
export type { RecycleOptions, RecycleSummary } from './recycle-stuck.js';
export type { DiagnoseOptions, DiagnoseReport, Finding, MessageSummary } from './diagnose.js';
export type { RunOnceOptions, RunSummary, SendContext } from './run-once.js';
export type { Logger } from './logger.js';
export type { QueueHooks } from './hooks.js';
export { backoffDelay } from './backoff.js';
export * from './types.js';
export type * from './adapter.js';
export * from './errors/index.js';
export { memoryAdapter } from './memory/memory-adapter.js';
export type { MemoryAdapterOptions } from './memory/memory-adapter.js';
export { ManualClock, systemClock } from './memory/clock.js';
export type { Clock } from './memory/clock.js';
