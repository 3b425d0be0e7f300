/**
 * toNodeHandler: the web-standard handlers behind a real node:http server (what Express hands its
 * routes): auth, status, headers and body make the round trip, and a request body reaches the handler.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
});
