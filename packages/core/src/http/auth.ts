/**
 * What the HTTP handlers share: the secret check, the refusal to run while `next build` prerenders,
 * and JSON answers that no cache keeps.
 */

import { bool } from '../config/validate.js';
import { invalidArgument, MsgQueueError, type MsgQueueErrorCode } from '../errors/msgqueue-error.js';

/**
 * Options every handler takes: who may call it.
 *
 * @category Cron routes
 */
export interface HandlerAuthOptions {
  /**
   * The shared secret callers send as `Authorization: Bearer <secret>` (what Vercel Cron sends).
   * Default: the `CRON_SECRET` environment variable, read on each request. With neither, every call
   * is refused with 500 `SECRET_MISSING`, unless `allowUnauthenticated` is true. Surrounding
   * whitespace is ignored (a `CRON_SECRET` written with `echo >> .env` ends in a line break, and no
   * header can carry one); a line break or control character inside is refused (`SECRET_INVALID`).
   */
  secret?: string;
  /** Serve callers without a secret. Only for a route that nothing outside can reach. Default false. */
  allowUnauthenticated?: boolean;
}

/**
 * The stable codes of a handler's error answers (`{ error: { code, message } }`).
 *
 * @category Cron routes
 */
export type HandlerErrorCode =
  /** 401: no `Authorization: Bearer …` header, or the wrong secret. */
  | 'UNAUTHORIZED'
  /** 500: no secret configured and `allowUnauthenticated` not set. */
  | 'SECRET_MISSING'
  /** 500: the configured secret holds a line break or another control character, which no header can carry. */
  | 'SECRET_INVALID'
  /** 405: a method the route does not answer (`Allow` lists those it does); HEAD never runs a tick. */
  | 'METHOD_NOT_ALLOWED'
  /** 413: a request body larger than `toNodeHandler`'s `maxBodyBytes`. */
  | 'PAYLOAD_TOO_LARGE'
  /** 400: `toNodeHandler` could not make a `Request` of what Node received (a malformed URL, say). */
  | 'BAD_REQUEST'
  /** 503: called while `next build` prerenders; the handler touches nothing. */
  | 'BUILD_TIME'
  /** 500: the queue threw something other than a {@link MsgQueueError}; `message` says what. */
  | 'QUEUE_ERROR'
  /** 500: the queue threw a {@link MsgQueueError} (`STORAGE_ERROR` when the database failed); its code. */
  | MsgQueueErrorCode;

/** A JSON answer no cache may keep. */
export function json(body: unknown, status: number, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** An error answer. */
export function problem(status: number, code: HandlerErrorCode, message: string, headers?: Record<string, string>): Response {
  return json({ error: { code, message } }, status, headers);
}

/** The answer for an error the queue threw: its code and message, never a stack. */
export function queueError(error: unknown): Response {
  const code = MsgQueueError.isInstance(error) ? error.code : 'QUEUE_ERROR';
  return problem(500, code, error instanceof Error ? error.message : String(error));
}

/** Validates the auth options once, when the handler is made. */
export function checkAuthOptions(o: Partial<HandlerAuthOptions>, field: string): { secret?: string; open: boolean } {
  if (o.secret !== undefined && (typeof o.secret !== 'string' || o.secret.trim().length === 0)) {
    throw invalidArgument(`${field}.secret`, 'expected a non-empty string (or leave it out to read CRON_SECRET).');
  }
  if (o.secret !== undefined && hasControl(o.secret.trim())) {
    throw invalidArgument(`${field}.secret`, 'holds a line break or control character, which no Authorization header can carry.');
  }
  return { secret: o.secret?.trim(), open: bool(o.allowUnauthenticated, `${field}.allowUnauthenticated`, false) };
}

/** Whether `text` holds a character no header value can carry: a control character other than HTAB. */
const hasControl = (text: string): boolean =>
  [...text].some((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && code !== 0x09) || code === 0x7f;
  });

/**
 * Refuse a method the route does not answer: 405, with `Allow`. Checked first, before the secret:
 * it tells a caller nothing about it.
 */
export function allowMethod(request: Request, allowed: readonly string[]): Response | null {
  if (allowed.includes(request.method.toUpperCase())) return null;
  return problem(405, 'METHOD_NOT_ALLOWED', `${request.method} is not answered here; use ${allowed.join(' or ')}.`, {
    allow: allowed.join(', '),
  });
}

/**
 * Admit or refuse a request. Reads the request's headers first, whatever else happens: a route
 * handler that reads its request is never prerendered or cached by Next.js (with `cacheComponents`
 * too), so a cron route cannot run at build time or serve a stale answer.
 */
export async function admit(request: Request, auth: { secret?: string; open: boolean }): Promise<Response | null> {
  const header = request.headers.get('authorization');
  if (env('NEXT_PHASE') === 'phase-production-build') {
    return problem(503, 'BUILD_TIME', 'refusing to work the queue while `next build` runs; this route runs on requests only.');
  }
  if (auth.open) return null;
  const secret = auth.secret ?? env('CRON_SECRET')?.trim();
  if (!secret) {
    return problem(
      500,
      'SECRET_MISSING',
      'no secret configured: set CRON_SECRET (Vercel Cron sends it as a Bearer token), pass `secret`, or pass `allowUnauthenticated: true` for a route nothing outside can reach.',
    );
  }
  if (hasControl(secret)) {
    return problem(
      500,
      'SECRET_INVALID',
      'CRON_SECRET holds a line break or control character, which no Authorization header can carry: set it again.',
    );
  }
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  if (given === undefined || !(await sameSecret(given, secret))) {
    return problem(401, 'UNAUTHORIZED', 'send `Authorization: Bearer <secret>`.', { 'www-authenticate': 'Bearer' });
  }
  return null;
}

/**
 * Marks a handler of this package: what {@link toNodeHandler} may check before the request's body
 * is read — the method, the build phase and the secret — and that the handler reads no body.
 */
const PREFLIGHT: unique symbol = Symbol.for('@org/msgqueue/http-preflight');

/** A handler of this package, with its {@link PREFLIGHT}. */
type CheckedHandler = ((request: Request) => Promise<Response>) & {
  [PREFLIGHT]?: (request: Request) => Promise<Response | null>;
};

/** The check a handler of this package carries, or undefined for any other handler. */
export function preflightOf(
  handler: (request: Request) => Promise<Response>,
): ((request: Request) => Promise<Response | null>) | undefined {
  return (handler as CheckedHandler)[PREFLIGHT];
}

/** The handler, carrying its check so a Node server can refuse before reading any body. */
export function withPreflight(
  handler: (request: Request) => Promise<Response>,
  preflight: (request: Request) => Promise<Response | null>,
): (request: Request) => Promise<Response> {
  return Object.assign(handler, { [PREFLIGHT]: preflight });
}

/** Compares digests in constant time, so the answer's timing says nothing about the secret. */
export async function sameSecret(given: string, secret: string): Promise<boolean> {
  const encode = new TextEncoder();
  const [a, b] = await Promise.all(
    [given, secret].map(async (s) => new Uint8Array(await crypto.subtle.digest('SHA-256', encode.encode(s)))),
  );
  let diff = 0;
  for (let i = 0; i < a!.length; i++) diff |= a![i]! ^ b![i]!;
  return diff === 0;
}

/** An environment variable, where the runtime has a `process` (edge runtimes may not). */
export function env(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/** Throws unless `value` looks like a queue (a `runOnce` and a `diagnose`). */
export function checkQueue(value: unknown, field: string): void {
  const q = value as { runOnce?: unknown; diagnose?: unknown } | null;
  if (typeof q !== 'object' || q === null || typeof q.runOnce !== 'function' || typeof q.diagnose !== 'function') {
    throw invalidArgument(field, 'expected the queue createQueue() returned.');
  }
}

/** The queues a handler's `queue` or `queues` option names (exactly one of them), each checked. */
export function queuesOf<Q>(o: { queue?: Q; queues?: Q[] }, field: string): Q[] {
  if ((o.queue === undefined) === (o.queues === undefined)) throw invalidArgument(`${field}.queue`, 'give queue or queues (one of them).');
  if (o.queues !== undefined && (!Array.isArray(o.queues) || o.queues.length === 0)) {
    throw invalidArgument(`${field}.queues`, 'expected a non-empty array of queues.');
  }
  const queues = o.queues ?? [o.queue!];
  for (const [i, q] of queues.entries()) checkQueue(q, o.queues ? `${field}.queues[${i}]` : `${field}.queue`);
  return queues;
}
