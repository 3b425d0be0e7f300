/**
 * A long-running worker, for apps that can run one: `runOnce` ticks back to back while there is
 * work, a sleep when there is none — cut short when this process enqueues to the queue — and a stop
 * that finishes what it started. Not a second engine: each round is a tick, with the same fencing,
 * hooks and summary; several workers (and cron ticks) drain one table side by side.
 */
import type { ResolvedOptions } from '../config/options.js';
import { systemTimers } from '../config/timers.js';
import { checkOptions, int } from '../config/validate.js';
import type { Listening } from '../contract/adapter.js';
import type { RunSummary } from '../contract/results.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import { queueState } from './in-process.js';
import { abortSignal, RUN_KEYS, type RunOnceOptions, runOnce } from './run-once.js';

/**
 * Options of {@link Queue.work}: those of `runOnce` for each tick (but `overlap`: workers always
 * run side by side), and how to stop and how long to sleep.
 *
 * @category Queue
 */
export interface WorkOptions<P> extends Omit<RunOnceOptions<P>, 'overlap'> {
  /**
   * Abort to stop (on SIGTERM, say): no more claims, no new sends; sends under way finish and are
   * acknowledged, what was claimed but not started goes back to PENDING; then `work` resolves.
   */
  signal?: AbortSignal;
  /** How long to sleep when nothing is due before looking again. Default 1000 ms (10 ms – 1 h). */
  idleMs?: number;
}

/** The counts of a tick's summary that a worker adds up. */
const SUMMED: readonly (keyof WorkSummary & keyof RunSummary)[] = [
  'claimed',
  'sent',
  'retried',
  'failed',
  'held',
  'released',
  'rateLimited',
  'throttled',
  'staleClaims',
  'storageErrors',
];

/**
 * What a worker did from its start to its stop: its ticks, the sums of their summaries' counts
 * (`storageErrors` includes ticks that could not claim at all: the worker waits and tries again),
 * and how long it ran.
 *
 * @category Queue
 */
export type WorkSummary = Pick<
  RunSummary,
  'claimed' | 'sent' | 'retried' | 'failed' | 'held' | 'released' | 'rateLimited' | 'throttled' | 'staleClaims' | 'storageErrors'
> & { ticks: number; durationMs: number };

/** The longest wait after a tick that could not reach the storage. */
const MAX_BACKOFF_MS = 30_000;

/** Run ticks back to back while there is work; sleep when there is none; resolve once stopped. */
export async function work<P>(ctx: ResolvedOptions, options: WorkOptions<P>): Promise<WorkSummary> {
  const o = checkOptions<WorkOptions<P>>(options, 'work.options', [...RUN_KEYS.filter((k) => k !== 'overlap'), 'idleMs']);
  if (o.send === undefined && o.sendBatch === undefined) {
    throw invalidArgument('work.options.send', 'give the function that delivers one message (or sendBatch).');
  }
  const signal = abortSignal(o.signal, 'work.options.signal');
  const idleMs = int(o.idleMs, 'work.options.idleMs', 10, 3_600_000, 1000);
  const { idleMs: _idle, ...tickOptions } = o;
  const timers = ctx.timers;
  const started = timers.now();
  const total = { ticks: 0, durationMs: 0, ...Object.fromEntries(SUMMED.map((k) => [k, 0])) } as WorkSummary;
  const wakers = queueState(ctx.adapter, ctx.name).wakers;
  let failures = 0;
  const listening = await listen(ctx);
  ctx.logger.info({ queue: ctx.name, idleMs, listening: listening !== null }, 'msgqueue: worker started');
  try {
    await loop();
  } finally {
    await listening?.close().catch(() => {});
  }
  total.durationMs = Math.round(timers.now() - started);
  ctx.logger.info({ queue: ctx.name, ...total }, 'msgqueue: worker stopped');
  return total;

  async function loop(): Promise<void> {
    while (!signal?.aborted) {
      let summary: RunSummary;
      try {
        summary = await runOnce<P>(ctx, { ...(tickOptions as RunOnceOptions<P>), overlap: 'allow' });
      } catch (err) {
        // Bad options throw on the first tick, as runOnce would: nothing was claimed.
        if (total.ticks === 0 && failures === 0 && !isStorageError(err)) throw err;
        failures++;
        total.storageErrors++;
        const wait = Math.min(MAX_BACKOFF_MS, idleMs * 2 ** Math.min(failures - 1, 10));
        ctx.logger.error({ queue: ctx.name, err, retryInMs: wait }, 'msgqueue: a worker tick failed; trying again');
        await sleep(ctx, wait, signal, wakers);
        continue;
      }
      failures = 0;
      total.ticks++;
      for (const k of SUMMED) total[k] += summary[k];
      // Nothing was due (or the queue is closed): sleep until the next look, or a wake-up. The tick
      // ended waiting for the queue's rate limit: sleep until a slot may free.
      if (summary.throttledForMs !== null) await sleep(ctx, Math.min(idleMs, summary.throttledForMs), signal, wakers);
      else if (summary.claimed === 0) await sleep(ctx, idleMs, signal, wakers);
    }
  }
}

/**
 * Wake-ups from other processes, where the adapter has them (`listen`: PostgreSQL's LISTEN/NOTIFY
 * with the `notify` option); null otherwise, or when listening fails — the worker then polls.
 */
async function listen(ctx: ResolvedOptions): Promise<Listening | null> {
  if (!ctx.adapter.listen) return null;
  try {
    return await ctx.adapter.listen({ queue: ctx.name, onWake: () => wakeWorkers(ctx) });
  } catch (err) {
    ctx.logger.warn({ queue: ctx.name, err }, 'msgqueue: could not listen for new messages; the worker polls');
    return null;
  }
}

const isStorageError = (err: unknown) => (err as { code?: unknown })?.code === 'STORAGE_ERROR';

/**
 * Wait `ms`, or less: until this process enqueues to the queue, or the signal aborts. With the
 * system's timers the wait keeps the process alive (a worker is what the process is for).
 */
function sleep(ctx: ResolvedOptions, ms: number, signal: AbortSignal | undefined, wakers: Set<() => void>): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = () => {
      if (ctx.timers === systemTimers) clearTimeout(handle as ReturnType<typeof setTimeout>);
      else ctx.timers.clearTimeout(handle);
      wakers.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const handle: unknown = ctx.timers === systemTimers ? setTimeout(done, ms) : ctx.timers.setTimeout(done, ms);
    wakers.add(done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Wake this process's idle workers of a queue: it was just enqueued to. */
export function wakeWorkers(ctx: ResolvedOptions): void {
  for (const wake of [...queueState(ctx.adapter, ctx.name).wakers]) wake();
}
