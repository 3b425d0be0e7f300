/**
 * toNodeHandler: the web-standard handlers behind a real node:http server (what Express hands its
 * routes): auth, status, headers and body make the round trip, and a request body reaches the handler
 * — but only once its sender is admitted, and never more of it than the handler may take.
 */
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { createQueue, cronHandler, memoryAdapter, statusHandler, toNodeHandler } from '@org/msgqueue';
import { afterEach, describe, expect, it } from 'vitest';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function serve(listener: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('toNodeHandler', () => {
  it('serves cronHandler from node:http: 401 without the secret, the tick with it, headers kept', async () => {
    const queue = createQueue<string>({ adapter: memoryAdapter() });
    await queue.enqueue('a');
    await queue.enqueue('b');
    const sent: string[] = [];
    const url = await serve(toNodeHandler(cronHandler({ queue, secret: 's3cret', send: async (m) => void sent.push(m.payload) })));

    const refused = await fetch(`${url}/cron`);
    expect(refused.status).toBe(401);
    expect(sent).toEqual([]);

    const ran = await fetch(`${url}/cron?x=1`, { headers: { authorization: 'Bearer s3cret' } });
    expect(ran.status).toBe(200);
    expect(ran.headers.get('cache-control')).toContain('no-store');
    expect(ran.headers.get('content-type')).toContain('application/json');
    expect(await ran.json()).toMatchObject({ sent: 2, skipped: null });
    expect(sent.sort()).toEqual(['a', 'b']);
  });

  it('serves statusHandler, and hands a POST body and the forwarded protocol to the handler', async () => {
    const queue = createQueue({ adapter: memoryAdapter() });
    const status = await serve(toNodeHandler(statusHandler({ queue, allowUnauthenticated: true })));
    const health = await fetch(status);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ healthy: true });

    const echo = await serve(
      toNodeHandler(async (request) =>
        Response.json({ method: request.method, url: request.url, body: await request.text() }, { status: 201 }),
      ),
    );
    const answer = await fetch(`${echo}/hook?a=b`, { method: 'POST', body: 'héllo', headers: { 'x-forwarded-proto': 'https' } });
    expect(answer.status).toBe(201);
    const seen = (await answer.json()) as { method: string; url: string; body: string };
    expect(seen).toMatchObject({ method: 'POST', body: 'héllo' });
    expect(seen.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/hook\?a=b$/);
  });

  it('answers an unauthenticated POST that announces 100 MB at once, without reading its body, and closes the connection', async () => {
    let ticks = 0;
    const queue = createQueue({ adapter: memoryAdapter(), hooks: { tick: () => void ticks++ } });
    const url = new URL(await serve(toNodeHandler(cronHandler({ queue, secret: 's3cret', send: async () => {} }))));
    // The body is never finished: an answer can only come from a server that did not wait for it.
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(`POST /cron HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n`);
        socket.write(Buffer.alloc(64 * 1024, 'a'));
      });
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
      });
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).toMatch(/connection: close/i);
    expect(ticks).toBe(0);
  });

  it('HEAD with the right secret runs no tick; POST runs one; another method is 405 before the secret is read', async () => {
    const queue = createQueue<string>({ adapter: memoryAdapter() });
    await queue.enqueue('a');
    const sent: string[] = [];
    const url = await serve(toNodeHandler(cronHandler({ queue, secret: 's3cret', send: async (m) => void sent.push(m.payload) })));
    const auth = { authorization: 'Bearer s3cret' };
    const head = await fetch(`${url}/cron`, { method: 'HEAD', headers: auth });
    expect(head.status).toBe(405);
    expect(sent).toEqual([]);
    expect((await fetch(`${url}/cron`, { method: 'PUT', body: 'x' })).status).toBe(405);
    expect((await fetch(`${url}/cron`, { method: 'POST', headers: auth, body: '{}' })).status).toBe(200);
    expect(sent).toEqual(['a']);
  });

  it('a handler of your own gets its body up to maxBodyBytes: 413 beyond, announced or not', async () => {
    const echo = toNodeHandler(async (request) => new Response(String((await request.arrayBuffer()).byteLength)), { maxBodyBytes: 1024 });
    const url = await serve(echo);
    expect(await (await fetch(url, { method: 'POST', body: 'x'.repeat(1024) })).text()).toBe('1024');
    const announced = await fetch(url, { method: 'POST', body: 'x'.repeat(4096) });
    expect(announced.status).toBe(413);
    expect(await announced.json()).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    // Chunked, with no length announced: refused once past the limit.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode('y'.repeat(512)));
        c.close();
      },
    });
    const chunked = await fetch(url, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(() => toNodeHandler(echo as never, { maxBodyBytes: -1 })).toThrow(/maxBodyBytes/);
  });
});
