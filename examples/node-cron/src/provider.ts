/**
 * A fake SMS provider the workers call over HTTP. Like a real one it keeps the idempotency keys it
 * has accepted: a repeat is answered 200 and not delivered again. Its faults, drawn per request
 * from a seeded random: unavailable (503: certainly not taken), slow (answers after the lease:
 * the worker gives up, not knowing), accepted-then-500 (taken, but the answer says otherwise), and
 * one unknown recipient (400, for good). Once, it accepts a message and has the worker that sent it
 * killed before the answer leaves: the crash every hand-rolled queue fears.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DemoMessage, SLOW_MS } from './config.js';

/** What the provider did with one request. */
export type Outcome = 'delivered' | 'repeat' | 'unavailable' | 'unknown-recipient';
/** Why an accepted request's answer did not say so. */
export type Mishap = 'slow' | 'accepted-then-500' | 'worker-killed';

/** One request, as the provider logged it. */
export interface LogEntry {
  n: number;
  key: string;
  to: string;
  worker: number;
  outcome: Outcome;
  mishap: Mishap | null;
  at: number;
}

/** The recipient the provider does not know. */
export const UNKNOWN_RECIPIENT = '+10000000000';

export interface Provider extends EventEmitter<{ kill: [pid: number] }> {
  url: string;
  log: LogEntry[];
  close(): Promise<void>;
}

/** Start the provider; it asks for a worker to be killed (event `kill`) at its `killAt`-th delivery. */
export async function startProvider({ seed, killAt }: { seed: number; killAt: number }): Promise<Provider> {
  const random = mulberry32(seed);
  const accepted = new Set<string>();
  const events = new EventEmitter<{ kill: [pid: number] }>();
  const log: LogEntry[] = [];
  let killed = false;

  const server = createServer(async (req, res) => {
    const message = JSON.parse(await body(req)) as DemoMessage;
    const key = String(req.headers['idempotency-key']);
    const entry: LogEntry = {
      n: message.n,
      key,
      to: message.to,
      worker: Number(req.headers['x-worker']),
      outcome: 'delivered',
      mishap: null,
      at: Date.now(),
    };
    log.push(entry);
    const answer = (status: number, delayMs = 0) =>
      setTimeout(() => {
        if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ status }));
      }, delayMs);

    if (message.to === UNKNOWN_RECIPIENT) {
      entry.outcome = 'unknown-recipient';
      return answer(400);
    }
    const draw = random();
    if (draw < 0.06) {
      entry.outcome = 'unavailable';
      return answer(503);
    }
    if (accepted.has(key)) entry.outcome = 'repeat';
    accepted.add(key);
    if (entry.outcome === 'delivered' && !killed && log.filter((e) => e.outcome === 'delivered').length >= killAt) {
      killed = true;
      entry.mishap = 'worker-killed';
      events.emit('kill', entry.worker);
      return; // no answer: the worker dies waiting for it
    }
    if (draw < 0.08) {
      entry.mishap = 'slow';
      return answer(200, SLOW_MS);
    }
    if (draw < 0.1) {
      entry.mishap = 'accepted-then-500';
      return answer(500);
    }
    answer(200);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(events, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

/** A small seeded random (mulberry32): the same seed, the same faults. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
