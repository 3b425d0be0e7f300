import { checkOptions, fn, int } from '../config/validate.js';
import type { RunSummary } from '../contract/results.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import type { Queue } from '../queue/create-queue.js';
import { RUN_KEYS, type RunOnceOptions } from '../tick/run-once.js';
import { admit, allowMethod, checkAuthOptions, checkQueue, type HandlerAuthOptions, json, queueError, withPreflight } from './auth.js';

/**
 * Options of {@link cronHandler}: the queue, who may call, the time it may take, and `runOnce`'s own options.
 *
 * @category Cron routes
 */
export interface CronHandlerOptions<P> extends HandlerAuthOptions, Omit<RunOnceOptions<P>, 'timeBudgetMs'> {
  /** The queue this route drains. */
  queue: Queue<P>;
  /**
   * The platform's limit for one call, in seconds — the same number as the route's
   * `export const maxDuration`. The tick's budget is this minus a tenth (at least 2 s, at most 30 s)
   * for the answer and the platform's own overhead. Default: `timeBudgetMs`, else runOnce's 25 s.
   */
  maxDuration?: number;
  /** The tick's budget in ms, when you would rather set it than derive it from `maxDuration`. */
  timeBudgetMs?: number;
}

/**
 * The answer of a {@link cronHandler} call that ran: the tick's summary. 200 unless the storage failed.
 *
 * @category Cron routes
 */
export type CronHandlerBody = RunSummary;

const KEYS = ['queue', 'secret', 'allowUnauthenticated', 'maxDuration', ...RUN_KEYS] as const;

/**
 * A cron route over a queue: a standard `(Request) => Promise<Response>`, so it is a Next.js route
 * handler as it is (and a Hono, Remix, Bun or Deno one). Each call runs one {@link Queue.runOnce}
 * tick and answers its summary as JSON.
 *
 * - **Refuses strangers:** `Authorization: Bearer <secret>` (Vercel Cron sends `CRON_SECRET` so) or
 *   401; with no secret configured, 500 `SECRET_MISSING` unless `allowUnauthenticated: true`.
 * - **Runs on GET and POST only:** GET is what Vercel Cron sends; POST what schedulers that trigger
 *   work send (QStash, Cloud Scheduler, a GitHub Action's curl) — export the handler as both if yours
 *   posts. HEAD (which Next.js answers with your GET handler) and every other method get 405 and run
 *   nothing. The request's body is never read.
 * - **Never runs at build time, never cached:** it reads the request before anything else, which
 *   keeps Next.js from prerendering the route (with `cacheComponents` too), and while `next build`
 *   runs it answers 503 `BUILD_TIME` without touching the queue. Answers carry `Cache-Control: no-store`.
 * - **Fits the platform's limit:** pass `maxDuration` (seconds, as exported by the route) and the tick
 *   stops starting sends in time to answer.
 * - **A status a monitor can alert on:** 200 when the tick ran (or was skipped because another was
 *   running); 500 when the storage failed (the tick's first step threw, or a later step failed —
 *   `storageErrors` in the summary) with `{ error: { code, message } }` or the summary.
 *
 * ```ts
 * // app/api/cron/process-queue/route.ts
 * import { cronHandler } from '@org/msgqueue';
 * import { outgoing, deliver } from '@/lib/queues';
 *
 * export const maxDuration = 60;
 * export const GET = cronHandler({ queue: outgoing, send: deliver, maxDuration });
 * ```
 *
 * Options are checked when the handler is made: a typo fails the build, not the first cron call.
 *
 * @category Cron routes
 */
export function cronHandler<P>(options: CronHandlerOptions<P>): (request: Request) => Promise<Response> {
  const o = checkOptions<CronHandlerOptions<P>>(options, 'cronHandler.options', KEYS);
  checkQueue(o.queue, 'cronHandler.options.queue');
  const auth = checkAuthOptions(o, 'cronHandler.options');
  fn(o.send, 'cronHandler.options.send');
  fn(o.sendBatch, 'cronHandler.options.sendBatch');
  if (o.send === undefined && o.sendBatch === undefined) {
    throw invalidArgument('cronHandler.options.send', 'give the function that delivers one message (or sendBatch).');
  }
  if (o.maxDuration !== undefined && o.timeBudgetMs !== undefined) {
    throw invalidArgument('cronHandler.options.timeBudgetMs', 'give maxDuration or timeBudgetMs, not both.');
  }
  const timeBudgetMs =
    o.maxDuration !== undefined
      ? budgetFor(int(o.maxDuration, 'cronHandler.options.maxDuration', 3, 900))
      : o.timeBudgetMs === undefined
        ? undefined
        : int(o.timeBudgetMs, 'cronHandler.options.timeBudgetMs', 100, 15 * 60_000);
  const { queue, secret: _secret, allowUnauthenticated: _open, maxDuration: _max, timeBudgetMs: _budget, ...run } = o;
  const tick: RunOnceOptions<P> = timeBudgetMs === undefined ? run : { ...run, timeBudgetMs };

  const refuse = async (request: Request) => allowMethod(request, TICK_METHODS) ?? (await admit(request, auth));
  return withPreflight(async (request: Request): Promise<Response> => {
    const refused = await refuse(request);
    if (refused) return refused;
    let summary: RunSummary;
    try {
      summary = await queue!.runOnce(tick);
    } catch (error) {
      return queueError(error);
    }
    return json(summary, summary.storageErrors > 0 ? 500 : 200);
  }, refuse);
}

/** The methods that run a tick: GET (Vercel Cron) and POST. Never HEAD, which must be safe. */
const TICK_METHODS = ['GET', 'POST'] as const;

/**
 * The tick's budget for a platform limit of `seconds`: a tenth held back, at least 2 s, at most 30 s.
 *
 * @category Cron routes
 */
export function budgetFor(seconds: number): number {
  const limit = seconds * 1000;
  return limit - Math.min(30_000, Math.max(2_000, Math.round(limit / 10)));
}
