/**
 * The status page's routes once a request is signed in (and, for a POST, its CSRF token checked):
 * the overview, a list, a message, an action's dry run or confirmation, and the page for an error.
 */
import type { MessageRecord } from '../contract/message.js';
import { MsgQueueError } from '../errors/msgqueue-error.js';
import type { Queue } from '../queue/create-queue.js';
import { actionOf } from './status-page-actions.js';
import { esc, queueSection } from './status-page-html.js';
import { filterOf, findOptions, home, listHref, listOf, pageOf } from './status-page-lists.js';
import { gatePage, listPage, messagePage, planPage, resultPage, type ViewContext } from './status-page-views.js';

/** Messages of each kind the overview samples (stuck, held, failed). */
const SAMPLES = 20;

/** What every route of a signed-in request has. */
export interface SignedIn {
  base: string;
  // biome-ignore lint/suspicious/noExplicitAny: queues of any payload type.
  queues: Queue<any>[];
  view: ViewContext;
  readOnly: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: payloads of any type.
  redact: ((payload: any, message: Omit<MessageRecord, 'payload'>) => unknown) | undefined;
  /** The request's time. */
  now: number;
  /** A page around `html` (empty for HEAD), with the session's headers. */
  show(title: string, html: string, status?: number, refresh?: boolean): Response;
}

const queueNamed = (s: SignedIn, name: string | null) => (name === null ? undefined : s.queues.find((q) => q.options.name === name));

/** The answer for a queue, message or path that is not there. */
export function notFoundBody(base: string): string {
  return `<h1>Not found</h1><p><a href="${esc(home(base))}">The queues</a></p>`;
}

/** Every queue at a glance, as `diagnose` reads it. */
export async function overview(s: SignedIn): Promise<Response> {
  const reports = await Promise.all(s.queues.map((q) => q.diagnose({ sampleSize: SAMPLES })));
  const healthy = reports.every((r) => r.healthy);
  return s.show(
    healthy ? 'Queues' : 'Queues: attention needed',
    `<h1>Queues</h1>\n${reports.map((r) => queueSection(r, s.view)).join('\n')}`,
    200,
    true,
  );
}

/** A page of one list of one queue. */
export async function messages(s: SignedIn, params: URLSearchParams): Promise<Response> {
  const queue = queueNamed(s, params.get('queue'));
  if (!queue) return s.show('Not found', notFoundBody(s.base), 404);
  const list = listOf(params);
  const filter = filterOf(params);
  const pageNumber = pageOf(params);
  const found = await queue.find(findOptions(list, filter, pageNumber));
  return s.show(`${queue.options.name} · ${list}`, listPage(s.view, queue.options.name, list, filter, pageNumber, found), 200, true);
}

/** One message; its payload only with `payload=1`, through `redact`. */
export async function message(s: SignedIn, params: URLSearchParams): Promise<Response> {
  const queue = queueNamed(s, params.get('queue'));
  const id = params.get('id');
  const record = queue && id ? await queue.get(id) : null;
  if (!queue || !record) return s.show('Not found', notFoundBody(s.base), 404);
  const { payload, ...rest } = record;
  const shown =
    params.get('payload') === '1' ? { shown: true as const, text: redacted(s.redact, payload, rest) } : { shown: false as const };
  return s.show(`${queue.options.name} · ${record.id}`, messagePage(s.view, queue.options.name, rest, shown, s.now));
}

/** An action: its dry run (or what a gate change will do), then — with `confirm=1` — carried out. */
export async function act(s: SignedIn, form: URLSearchParams, params: URLSearchParams): Promise<Response> {
  if (s.readOnly) return s.show('Read-only', '<h1>Read-only</h1><p>This status page shows the queues and changes nothing.</p>', 403);
  const queue = queueNamed(s, form.get('queue'));
  if (!queue) return s.show('Not found', notFoundBody(s.base), 404);
  const name = queue.options.name;
  const list = form.get('list');
  const back = list ? listHref(s.base, name, listOf(new URLSearchParams({ list }))) : home(s.base);
  // A button that acts on every row the filter matches ignores the rows ticked in the same form.
  if (params.get('scope') === 'matching') form.delete('id');
  const action = actionOf(queue, form);
  const confirmed = form.get('confirm') === '1';
  if (action.kind === 'gate') {
    if (!confirmed) return s.show('Confirm', planPage(s.view, name, form, action, null, back));
    return s.show('Done', gatePage(name, await action.run(), back));
  }
  if (!confirmed) return s.show('Confirm', planPage(s.view, name, form, action, await action.run(true), back));
  return s.show('Done', resultPage(name, await action.run(false), back));
}

/** Bad input (400: nothing was changed) or a storage that failed (500), said plainly. */
export function failed(s: SignedIn, error: unknown): Response {
  const bad = error instanceof MsgQueueError && error.code === 'INVALID_ARGUMENT';
  const text = error instanceof Error ? error.message : String(error);
  return bad
    ? s.show(
        'Cannot do that',
        `<h1>Cannot do that</h1><p role="alert">${esc(text)}</p><p>Nothing was changed. Go back and change the form.</p>`,
        400,
      )
    : s.show('Storage error', `<h1>The queues could not be read</h1><p role="alert">${esc(text)}</p>`, 500);
}

/** What the page shows of a payload: through `redact` when given; never the payload when `redact` throws. */
function redacted(redact: SignedIn['redact'], payload: unknown, m: Omit<MessageRecord, 'payload'>): string {
  if (!redact) return payloadText(payload);
  try {
    return payloadText(redact(payload, m));
  } catch (error) {
    return `(not shown: redact threw ${error instanceof Error ? error.message : String(error)})`;
  }
}

/** A payload as text for the page: JSON, indented; a string as it is. */
function payloadText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}
