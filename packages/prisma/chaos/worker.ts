/**
 * A chaos worker: runs the cron tick in a loop against the fake provider, as a deployed app would.
 * argv: dialect url deliveryMode providerPort workerId statsFile [ratePerSecond]
 * With ratePerSecond, the queue's rate limit (every worker shares it through the database).
 */
import { appendFileSync } from 'node:fs';
import { classifySendError, createQueue, type DeliveryMode, PermanentSendError, RetryableSendError } from '@org/msgqueue';
import { openClient } from '@org/msgqueue-test-support';
import type { SqlDialect } from '../src/index.js';
import { prismaAdapter } from '../src/index.js';
import { CHAOS_QUEUE_OPTIONS, type ChaosPayload } from './settings.js';

const [dialect, rawUrl, mode, port, workerId, statsFile, ratePerSecond] = process.argv.slice(2) as [
  SqlDialect,
  string,
  DeliveryMode,
  string,
  string,
  string,
  string | undefined,
];
let url = rawUrl;
if (dialect === 'postgresql') {
  // Named connections let the nemesis terminate this worker's backends and no one else's.
  const u = new URL(rawUrl);
  u.searchParams.set('application_name', `chaos-${workerId}`);
  url = u.toString();
}
const prisma = await openClient(dialect, url, 2);
const queue = createQueue<ChaosPayload>({
  adapter: prismaAdapter(prisma as never, { dialect, lockTable: false }),
  deliveryMode: mode,
  ...CHAOS_QUEUE_OPTIONS,
  ...(ratePerSecond ? { rateLimit: { max: Number(ratePerSecond), perMs: 1000 } } : {}),
  // Written at once, so a worker killed mid-tick still leaves its evidence that fencing refused it.
  hooks: {
    refused: (e) => {
      if (e.reason === 'stale-claim')
        appendFileSync(statsFile, `${JSON.stringify({ worker: workerId, pid: process.pid, staleClaim: e.operation, id: e.id })}\n`);
    },
  },
});

let stopping = false;
process.on('SIGTERM', () => (stopping = true));

async function send(m: { id: string; token: string; idempotencyKey: string; payload: ChaosPayload }, signal: AbortSignal) {
  const res = await fetch(`http://127.0.0.1:${port}/send`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-worker': `${workerId}:${process.pid}` },
    body: JSON.stringify({ id: m.id, token: m.token, key: m.idempotencyKey, g: m.payload.g, n: m.payload.n }),
    signal,
  });
  await res.text();
  if (res.status === 503) throw new RetryableSendError('provider answered 503');
  if (!res.ok) throw new PermanentSendError(`provider answered ${res.status}`);
}

while (!stopping) {
  try {
    const s = await queue.runOnce({
      overlap: 'allow',
      timeBudgetMs: 3_000,
      reserveMs: 500,
      send: async (m, { signal }) => {
        try {
          await send(m, signal);
        } catch (error) {
          // The worker's own view: this claim's send ended without a clear answer.
          if (classifySendError(error) === 'unknown')
            appendFileSync(statsFile, `${JSON.stringify({ ambiguousSend: m.token, id: m.id, error: String(error).slice(0, 120) })}\n`);
          throw error;
        }
      },
    });
    if (s.claimed === 0) await new Promise((r) => setTimeout(r, 100));
  } catch (error) {
    // A storage error outside a settle (the claim itself, after a terminated connection): try again.
    appendFileSync(
      statsFile,
      `${JSON.stringify({ worker: workerId, pid: process.pid, tickError: String((error as Error).message).slice(0, 200) })}\n`,
    );
    await new Promise((r) => setTimeout(r, 200));
  }
}
await prisma.$disconnect();
process.exit(0);
