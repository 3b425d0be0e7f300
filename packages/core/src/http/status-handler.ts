import { checkOptions, int } from '../config/validate.js';
import type { DiagnoseReport } from '../contract/results.js';
import type { Queue } from '../queue/create-queue.js';
import { admit, allowMethod, checkAuthOptions, type HandlerAuthOptions, json, queueError, queuesOf, withPreflight } from './auth.js';

/**
 * What {@link statusHandler} needs of a queue: any {@link Queue}.
 *
 * @category Cron routes
 */
export type Reportable = Pick<Queue, 'diagnose' | 'runOnce'>;

/**
 * Options of {@link statusHandler}: one `queue`, or several `queues`.
 *
 * @category Cron routes
 */
export interface StatusHandlerOptions extends HandlerAuthOptions {
  /** The queue to report on; the answer is its report. */
  queue?: Reportable;
  /** Several queues (an app's outgoing and incoming, say); the answer is {@link StatusBody}. */
  queues?: Reportable[];
  /** Sample rows per problem list in each report. Default 10. */
  sampleSize?: number;
}

/**
 * The answer of a {@link statusHandler} over several `queues`.
 *
 * @category Cron routes
 */
export interface StatusBody {
  /** False when any report has an alert. */
  healthy: boolean;
  /** One report per queue, in the order given. */
  reports: DiagnoseReport[];
}

/**
 * A health route: `(Request) => Promise<Response>` answering {@link Queue.diagnose}'s report as JSON —
 * 200 when healthy, 503 when a finding is an alert (stuck, held, failing…), 500 when the storage
 * cannot be read. Same secret rule as {@link cronHandler} (a report holds ids and error texts, never
 * payloads): a monitor sends `Authorization: Bearer <secret>`. Give the monitor a secret of its own
 * (`secret: process.env.STATUS_SECRET`) rather than the cron secret, which lets its holder run ticks.
 * Answers GET and HEAD (the status code alone, for a monitor that only looks at it); 405 otherwise.
 *
 * ```ts
 * // app/api/status/route.ts
 * export const GET = statusHandler({ queues: [outgoing, incoming], secret: process.env.STATUS_SECRET });
 * ```
 *
 * @category Cron routes
 */
export function statusHandler(options: StatusHandlerOptions): (request: Request) => Promise<Response> {
  const field = 'statusHandler.options';
  const o = checkOptions<StatusHandlerOptions>(options, field, ['queue', 'queues', 'secret', 'allowUnauthenticated', 'sampleSize']);
  const queues = queuesOf(o, field);
  const auth = checkAuthOptions(o, field);
  const sampleSize = int(o.sampleSize, `${field}.sampleSize`, 0, 1000, 10);
  const refuse = async (request: Request) => allowMethod(request, ['GET', 'HEAD']) ?? (await admit(request, auth));
  return withPreflight(async (request: Request): Promise<Response> => {
    const refused = await refuse(request);
    if (refused) return refused;
    let reports: DiagnoseReport[];
    try {
      reports = await Promise.all(queues.map((q) => q.diagnose({ sampleSize })));
    } catch (error) {
      return queueError(error);
    }
    const healthy = reports.every((r) => r.healthy);
    const body: DiagnoseReport | StatusBody = o.queues ? { healthy, reports } : reports[0]!;
    const answer = json(body, healthy ? 200 : 503);
    return request.method.toUpperCase() === 'HEAD' ? new Response(null, { status: answer.status, headers: answer.headers }) : answer;
  }, refuse);
}
