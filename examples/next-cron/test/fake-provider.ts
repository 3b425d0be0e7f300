/**
 * The app's outside world for the end-to-end test: an SMS provider (`POST /messages`) and the
 * assistant (`POST /assistant`), both honouring idempotency keys as real ones do, with faults chosen
 * per key so every run meets each of them: a 503 (certainly not taken), a 500 after accepting
 * (maybe taken), an answer slower than the queue's lease, and a recipient refused for good.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the provider saw it arrive. */
export interface Arrival {
  path: '/messages' | '/assistant';
  key: string;
  body: { to?: string; text?: string; messageId?: string };
  /** What the provider did: delivered (first time), replayed (key seen before), or refused. */
  result: 'delivered' | 'replayed' | 'refused';
  at: number;
}

/** Faults by key: a key's first attempt meets one (round-robin over keys), later attempts succeed. */
export type Fault = 'none' | 'unavailable' | 'accepted-then-500' | 'slow';

export interface FakeProvider {
  url: string;
  arrivals: Arrival[];
  /** Keys delivered, with the body of the delivery. */
  delivered: Map<string, Arrival>;
  /** The fault a key's first attempt met ('none' for a key never seen). */
  faultOf(key: string): Fault;
  close(): Promise<void>;
}

/** A recipient the provider refuses for good (400). */
export const BLOCKED_NUMBER = '+10000000000';

export async function startFakeProvider({ slowMs }: { slowMs: number }): Promise<FakeProvider> {
  const arrivals: Arrival[] = [];
  const delivered = new Map<string, Arrival>();
  const attempts = new Map<string, number>();
  // Faults go round-robin over keys in the order they first arrive: every run meets each of them.
  const faults = new Map<string, Fault>();
  const CYCLE = ['none', 'unavailable', 'none', 'accepted-then-500', 'none', 'slow'] as const;
  const faultOf = (key: string): Fault => faults.get(key) ?? 'none';

  const server: Server = createServer(async (req, res) => {
    const path = req.url as Arrival['path'];
    const key = String(req.headers['idempotency-key'] ?? '');
    const body = JSON.parse(await read(req)) as Arrival['body'] & { transcript?: unknown };
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    if (attempt === 1) faults.set(key, CYCLE[faults.size % CYCLE.length]!);
    const fault = attempt === 1 ? faultOf(key) : 'none';
    const arrival: Arrival = {
      path,
      key,
      body: { to: body.to, text: body.text, messageId: body.messageId },
      result: 'refused',
      at: Date.now(),
    };
    arrivals.push(arrival);
    const answer = (status: number, payload: unknown, delayMs = 0) =>
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      }, delayMs);

    if (path === '/messages' && body.to === BLOCKED_NUMBER) return answer(400, { error: 'unknown recipient' });
    if (fault === 'unavailable') return answer(503, { error: 'try again' });
    const reply = path === '/assistant' ? { reply: `re: ${body.messageId}` } : { ok: true };
    if (delivered.has(key)) arrival.result = 'replayed';
    else {
      arrival.result = 'delivered';
      delivered.set(key, arrival);
    }
    if (fault === 'accepted-then-500') return answer(500, { error: 'internal error' });
    if (fault === 'slow') return answer(200, reply, slowMs);
    answer(200, reply);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    delivered,
    faultOf,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data || '{}'));
    req.on('error', reject);
  });
}
