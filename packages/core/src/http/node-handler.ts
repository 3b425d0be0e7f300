import { checkOptions, int } from '../config/validate.js';
import { preflightOf, problem } from './auth.js';

/**
 * The bridge from Node's `(req, res)` servers — Express, Fastify's raw handlers, `node:http`, Koa's
 * `ctx.req`/`ctx.res` — to the web-standard handlers: `cronHandler` and `statusHandler` answer a
 * `Request` with a `Response`, and this turns one into the other, headers and status included.
 */

/**
 * What {@link toNodeHandler} reads of a request: Node's `IncomingMessage` (and so Express's `req`)
 * fits, typed structurally so the core does not depend on `@types/node`.
 *
 * @category Cron routes
 */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** A TLS socket has `encrypted: true`. */
  socket?: unknown;
}

/**
 * What {@link toNodeHandler} writes to: Node's `ServerResponse` (and so Express's `res`).
 *
 * @category Cron routes
 */
export interface NodeResponseLike {
  statusCode: number;
  /** Set one response header. */
  setHeader(name: string, value: string | number | readonly string[]): unknown;
  /** Send the body and finish the response. */
  end(body?: Uint8Array | string): unknown;
}

/**
 * Options of {@link toNodeHandler}.
 *
 * @category Cron routes
 */
export interface NodeHandlerOptions {
  /**
   * The largest request body read for a handler of your own, in bytes; a larger one is answered 413
   * at once (announced by `Content-Length`) or as soon as it passes the limit. Default 1 MiB.
   * `cronHandler` and `statusHandler` read no body at all.
   */
  maxBodyBytes?: number;
}

/**
 * A `(req, res)` listener over a web-standard handler, for Express and plain `node:http`: the
 * request's method, URL (from `Host` and `X-Forwarded-Proto`) and headers become a `Request`; the
 * `Response`'s status, headers and body are written back.
 *
 * Nothing is read from a caller before it is admitted: for `cronHandler` and `statusHandler` the
 * method and the secret are checked on the headers alone (405, 401 and 500 at once), and their
 * body is never read. A handler of your own gets the body, up to `maxBodyBytes` (413 beyond). A
 * refusal with a body still on the wire closes the connection, so nothing more is received.
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { cronHandler, toNodeHandler } from '@org/msgqueue';
 *
 * const app = express();
 * app.get('/cron/outbox', toNodeHandler(cronHandler({ queue: outbox, send, maxDuration: 60 })));
 * ```
 *
 * @category Cron routes
 */
export function toNodeHandler(
  handler: (request: Request) => Promise<Response>,
  options: NodeHandlerOptions = {},
): (req: NodeRequestLike, res: NodeResponseLike) => Promise<void> {
  const o = checkOptions<NodeHandlerOptions>(options, 'toNodeHandler.options', ['maxBodyBytes']);
  const maxBodyBytes = int(o.maxBodyBytes, 'toNodeHandler.options.maxBodyBytes', 0, 1024 ** 3, 1024 ** 2);
  const preflight = preflightOf(handler);
  return async (req, res) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = urlOf(req);
    const headers = headersOf(req);
    const declared = Number(first(req.headers['content-length']) ?? Number.NaN);
    const pending = method !== 'GET' && method !== 'HEAD' && (declared > 0 || req.headers['transfer-encoding'] !== undefined);
    const bare = new Request(url, { method, headers });
    let response: Response;
    try {
      if (preflight) {
        // Ours: checked on the headers alone, and no body is ever read.
        response = (await preflight(bare)) ?? (await handler(bare));
      } else if (declared > maxBodyBytes) {
        response = tooLarge(maxBodyBytes);
      } else {
        const body = method === 'GET' || method === 'HEAD' ? null : await readBody(req, maxBodyBytes);
        response = body === TOO_LARGE ? tooLarge(maxBodyBytes) : await handler(new Request(url, { method, headers, body }));
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      response = problem(400, 'BAD_REQUEST', message);
    }
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    // A body we did not read stays on the wire: close the connection rather than wait for it.
    if (pending && (preflight || response.status === 413)) res.setHeader('connection', 'close');
    res.end(method === 'HEAD' ? undefined : new Uint8Array(await response.arrayBuffer()));
    if (pending && response.status === 413) (req as { destroy?: () => void }).destroy?.();
  };
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/** Headers that describe the connection or the body on the wire, not the request. */
const WIRE = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect']);

function urlOf(req: NodeRequestLike): URL {
  const proto =
    first(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim() ||
    ((req.socket as { encrypted?: boolean } | null | undefined)?.encrypted ? 'https' : 'http');
  return new URL(req.url ?? '/', `${proto}://${first(req.headers.host) ?? 'localhost'}`);
}

function headersOf(req: NodeRequestLike): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || WIRE.has(name.toLowerCase())) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  return headers;
}

const TOO_LARGE = Symbol('too large');

/** The body, or {@link TOO_LARGE} as soon as it passes `max` bytes (the rest is not read). */
async function readBody(req: NodeRequestLike, max: number): Promise<Uint8Array<ArrayBuffer> | typeof TOO_LARGE> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    size += bytes.length;
    if (size > max) return TOO_LARGE;
    chunks.push(bytes);
  }
  const body = new Uint8Array(new ArrayBuffer(size));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return body;
}

const tooLarge = (max: number) =>
  problem(413, 'PAYLOAD_TOO_LARGE', `the request body is larger than ${max} bytes (toNodeHandler's maxBodyBytes).`);
