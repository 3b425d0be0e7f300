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
 * A `(req, res)` listener over a web-standard handler, for Express and plain `node:http`: the
 * request's method, URL (from `Host` and `X-Forwarded-Proto`), headers and body become a `Request`;
 * the `Response`'s status, headers and body are written back.
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
): (req: NodeRequestLike, res: NodeResponseLike) => Promise<void> {
  return async (req, res) => {
    let response: Response;
    try {
      response = await handler(await toRequest(req));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      response = Response.json({ error: { code: 'BAD_REQUEST', message } }, { status: 400, headers: { 'cache-control': 'no-store' } });
    }
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    res.end(new Uint8Array(await response.arrayBuffer()));
  };
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

async function toRequest(req: NodeRequestLike): Promise<Request> {
  const proto =
    first(req.headers['x-forwarded-proto'])?.split(',')[0]?.trim() ||
    ((req.socket as { encrypted?: boolean } | null | undefined)?.encrypted ? 'https' : 'http');
  const url = new URL(req.url ?? '/', `${proto}://${first(req.headers.host) ?? 'localhost'}`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const method = (req.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD') return new Request(url, { method, headers });
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  return new Request(url, { method, headers, body });
}
