/**
 * The status page: a small server-rendered application for one or more queues, as a web-standard
 * handler (`(Request) => Promise<Response>`; `toNodeHandler` for Express and node:http). No page
 * without a session: a sign-in form checked against a secret, or the app's own `authorize`; the
 * session is an HttpOnly, SameSite=Strict cookie signed with the secret; every POST carries the
 * session's CSRF token; a Content-Security-Policy allows no script and nothing from elsewhere.
 */
import { bool, checkOptions, int } from '../config/validate.js';
import type { MessageRecord } from '../contract/message.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import type { Queue } from '../queue/create-queue.js';
import { checkCsrf, cookie, csrfToken, newSession, readSession, type SigningKey, signingKey } from './admin-session.js';
import { env, queuesOf, sameSecret } from './auth.js';
import { LoginThrottle } from './login-throttle.js';
import { type Frame, layout, loginPage, STYLESHEET } from './status-page-html.js';
import { home } from './status-page-lists.js';
import { act, failed, message, messages, notFoundBody, overview, type SignedIn } from './status-page-routes.js';
import { PAGE_SCRIPT } from './status-page-script.js';
import type { ViewContext } from './status-page-views.js';

/**
 * Options of {@link statusPage}.
 *
 * @category Status page
 */
export interface StatusPageOptions {
  /** The queues the page shows (or `queue` for one). */
  // biome-ignore lint/suspicious/noExplicitAny: queues of any payload type.
  queues?: Queue<any>[];
  // biome-ignore lint/suspicious/noExplicitAny: a queue of any payload type.
  queue?: Queue<any>;
  /**
   * Where the page is mounted (`/admin/queues`): its links, forms and cookie path start with it.
   * Default `''` (the site's root).
   */
  basePath?: string;
  /**
   * Signs the session and CSRF tokens; with no `authorize`, also what the sign-in form asks for.
   * Default: the `MSGQUEUE_ADMIN_SECRET` environment variable, read on each request. At least 16
   * characters. Without one, every page answers 500 saying how to set it.
   */
  secret?: string;
  /**
   * The app's own check (its login session, an admin role): true lets the request in, without the
   * sign-in form; the page still keeps its own signed cookie for CSRF tokens.
   */
  authorize?: (request: Request) => boolean | Promise<boolean>;
  /** How long a session lasts. Default 8 hours. */
  sessionMs?: number;
  /** Show everything, change nothing: no action forms, and every action refused (403). Default false. */
  readOnly?: boolean;
  /**
   * What the page shows of a payload when an operator asks to see one (it is never on a list):
   * return a copy with what must not be shown masked, or a string saying why nothing is shown.
   * Default: the payload as it is.
   *
   * ```ts
   * redact: (p) => ({ ...p, to: '•••', text: `${String(p.text).length} characters` })
   * ```
   */
  // biome-ignore lint/suspicious/noExplicitAny: payloads of any type.
  redact?: (payload: any, message: Omit<MessageRecord, 'payload'>) => unknown;
  /** Seconds between reloads of the overview and the lists (by the served script; 0: never). Default 30. */
  refreshSeconds?: number;
}

const COOKIE = 'msgqueue_session';
const MIN_SECRET = 16;

/** Headers on every page: nothing cached, no script, no frame, no referrer, nothing from elsewhere. */
const PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const page = (html: string, status = 200, headers: Record<string, string> = {}) =>
  new Response(html, { status, headers: { ...PAGE_HEADERS, ...headers } });
const redirect = (to: string, headers: Record<string, string> = {}) =>
  new Response(null, { status: 303, headers: { location: to, 'cache-control': 'no-store', ...headers } });

/**
 * The status page: every queue at a glance — counts by status, the due backlog and its oldest age,
 * what was sent and failed in the last hour, what is in flight too long or without a lease, what is
 * held for review, closed gates, rate limits reached, and `diagnose`'s findings with their advice —
 * then lists of the messages (failed, held, to resend, in flight, pending, sent, cancelled) to filter
 * and page through, one message with its payload only when asked, and the operator actions: retry,
 * mark sent, release stuck (with force), purge, cancel, pause and resume — each shown as its dry run
 * first and carried out only once confirmed.
 *
 * ```ts
 * // app/admin/queues/[[...path]]/route.ts
 * const page = statusPage({ queues: [outbox], basePath: '/admin/queues' });
 * export const GET = page;
 * export const POST = page;
 * ```
 *
 * @category Status page
 */
export function statusPage(options: StatusPageOptions): (request: Request) => Promise<Response> {
  const field = 'statusPage.options';
  const o = checkOptions<StatusPageOptions>(options, field, [
    'queues',
    'queue',
    'basePath',
    'secret',
    'authorize',
    'sessionMs',
    'readOnly',
    'redact',
    'refreshSeconds',
  ]);
  const queues = queuesOf(o, field);
  const base = o.basePath ?? '';
  if (typeof base !== 'string' || !/^(\/[A-Za-z0-9._~-]+)*$/.test(base)) {
    throw invalidArgument(`${field}.basePath`, 'expected a path such as /admin/queues (no trailing slash), or an empty string.');
  }
  if (o.secret !== undefined && (typeof o.secret !== 'string' || o.secret.trim().length < MIN_SECRET)) {
    throw invalidArgument(
      `${field}.secret`,
      `expected a string of at least ${MIN_SECRET} characters (or leave it out to read MSGQUEUE_ADMIN_SECRET).`,
    );
  }
  if (o.authorize !== undefined && typeof o.authorize !== 'function')
    throw invalidArgument(`${field}.authorize`, 'expected a function of the request.');
  if (o.redact !== undefined && typeof o.redact !== 'function')
    throw invalidArgument(`${field}.redact`, 'expected a function of the payload (and the message) that returns what may be shown.');
  const sessionMs = int(o.sessionMs, `${field}.sessionMs`, 60_000, 30 * 86_400_000, 8 * 3_600_000);
  const readOnly = bool(o.readOnly, `${field}.readOnly`, false);
  const refreshSeconds = int(o.refreshSeconds, `${field}.refreshSeconds`, 0, 3600, 30);
  const redact = o.redact;
  const keys = new Map<string, Promise<SigningKey>>();
  const keyOf = (secret: string) => {
    const k = keys.get(secret) ?? signingKey(secret);
    keys.set(secret, k);
    return k;
  };
  const authorize = o.authorize;
  const throttle = new LoginThrottle();

  return async (request: Request): Promise<Response> => {
    // The request's headers are read first, whatever else happens: Next.js then never prerenders
    // or caches this route (see `admit`), and nothing runs while `next build` does.
    const cookies = request.headers.get('cookie');
    if (env('NEXT_PHASE') === 'phase-production-build') {
      return page(layout({ base, title: 'Build', csrf: null }, '<h1>Not during a build</h1>'), 503);
    }
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    if (!url.pathname.startsWith(base)) return page(notFound(base), 404);
    const path = url.pathname.slice(base.length) || '/';
    if ((path === '/page.css' || path === '/page.js') && (method === 'GET' || method === 'HEAD')) {
      return asset(path, method);
    }
    const secret = (o.secret ?? env('MSGQUEUE_ADMIN_SECRET'))?.trim();
    if (!secret || secret.length < MIN_SECRET) {
      return page(
        layout(
          { base, title: 'Not configured', csrf: null },
          `<h1>Not configured</h1><p>Set <code>MSGQUEUE_ADMIN_SECRET</code> (at least ${MIN_SECRET} characters), or pass <code>secret</code> to <code>statusPage</code>.</p>`,
        ),
        500,
      );
    }
    const key = await keyOf(secret);
    const now = Date.now();
    const cookiePath = base === '' ? '/' : base;
    const secure = url.protocol === 'https:' ? '; Secure' : '';
    const setSession = async () => {
      const value = await newSession(key, now + sessionMs);
      return {
        nonce: value.split('.')[1]!,
        header: `${COOKIE}=${value}; Path=${cookiePath}; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(sessionMs / 1000)}${secure}`,
      };
    };
    let nonce = await readSession(key, cookie(cookies, COOKIE), now);

    if (path === '/login') {
      if (authorize) return redirect(home(base));
      if (method === 'GET') return page(loginPage(base, null));
      if (method !== 'POST') return page(notFound(base), 405, { allow: 'GET, POST' });
      const client = LoginThrottle.clientOf(request);
      const waitMs = throttle.waitMs(client, now);
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        return page(loginPage(base, `Too many wrong secrets: try again in ${seconds} s.`), 429, { 'retry-after': String(seconds) });
      }
      const form = await formOf(request);
      if (!(await sameSecret(form.get('secret') ?? '', secret))) {
        throttle.failed(client, now);
        return page(loginPage(base, 'That is not the secret.'), 401);
      }
      const session = await setSession();
      return redirect(home(base), { 'set-cookie': session.header });
    }

    let setCookie: string | undefined;
    if (authorize) {
      if (!(await authorize(request)))
        return page(
          layout({ base, title: 'Not allowed', csrf: null }, '<h1>Not allowed</h1><p>Your account may not see this page.</p>'),
          403,
        );
      if (nonce === null) {
        const session = await setSession();
        nonce = session.nonce;
        setCookie = session.header;
      }
    } else if (nonce === null) {
      return method === 'GET' || method === 'HEAD'
        ? redirect(`${base}/login`)
        : page(loginPage(base, 'Your session ended: sign in again.'), 401);
    }
    const csrf = await csrfToken(key, nonce);
    const extra: Record<string, string> = setCookie ? { 'set-cookie': setCookie } : {};
    const view: ViewContext = { base, csrf, readOnly };
    const frame = (title: string, refresh = false): Frame => ({ base, title, csrf, ...(refresh ? { refreshSeconds } : {}) });
    const show = (title: string, html: string, status = 200, refresh = false) =>
      page(method === 'HEAD' ? '' : layout(frame(title, refresh), html), status, extra);

    const signed: SignedIn = { base, queues, view, readOnly, redact, now, show };
    try {
      if (method === 'POST') {
        const form = await formOf(request);
        if (!(await checkCsrf(key, nonce, form.get('csrf')))) {
          return show(
            'Refused',
            '<h1>Refused</h1><p>The form was not this session’s (its CSRF token did not match). Reload the page and try again.</p>',
            403,
          );
        }
        if (path === '/logout') {
          return redirect(`${base}/login`, {
            'set-cookie': `${COOKIE}=; Path=${cookiePath}; HttpOnly; SameSite=Strict; Max-Age=0${secure}`,
          });
        }
        return path === '/action' ? await act(signed, form, url.searchParams) : show('Not found', notFoundBody(base), 404);
      }
      if (method !== 'GET' && method !== 'HEAD') return page(notFound(base), 405, { allow: 'GET, HEAD, POST', ...extra });
      if (path === '/') return await overview(signed);
      if (path === '/messages') return await messages(signed, url.searchParams);
      if (path === '/message') return await message(signed, url.searchParams);
      return show('Not found', notFoundBody(base), 404);
    } catch (error) {
      return failed(signed, error);
    }
  };
}

/** The stylesheet and the script: the same for everyone, cached an hour. */
function asset(path: string, method: string): Response {
  const [body, type] = path === '/page.css' ? [STYLESHEET, 'text/css'] : [PAGE_SCRIPT, 'text/javascript'];
  return new Response(method === 'HEAD' ? null : body, {
    headers: { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' },
  });
}

function notFound(base: string): string {
  return layout({ base, title: 'Not found', csrf: null }, notFoundBody(base));
}

/** A form body (application/x-www-form-urlencoded) of at most 256 KiB (a confirmation carries up to 1,000 ids); empty when it is anything else. */
async function formOf(request: Request): Promise<URLSearchParams> {
  if (!(request.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) return new URLSearchParams();
  const text = await request.text();
  return text.length > 262_144 ? new URLSearchParams() : new URLSearchParams(text);
}
