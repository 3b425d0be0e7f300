/**
 * One worker process: node-cron runs a msgqueue tick every second, as a cron-driven app would — or,
 * with `pnpm demo --worker`, a long-running `queue.work` loop (ticks back to back, a short sleep when
 * nothing is due) — until the demo stops it (SIGTERM: the sends under way finish first). Each tick's
 * summary goes to the demo over IPC for its progress line.
 */
import { type ClaimedMessage, PermanentSendError, RetryableSendError, type SendContext } from '@org/msgqueue';
import cron from 'node-cron';
import type { DemoMessage, WorkerEnv } from './config.js';
import { openPrisma, openQueue } from './storage.js';

const env = process.env as unknown as WorkerEnv & { MSGQUEUE_DEMO_SABOTAGE?: string };
const prisma = await openPrisma(env.DEMO_STORAGE);
const asWorker = env.DEMO_WORKER === '1';
// As a worker, each tick reports through the queue's tick hook (node-cron's ticks report their own summary).
const queue = openQueue(prisma, env.DEMO_STORAGE, env.DEMO_MODE, asWorker ? { tick: (summary) => void process.send?.({ summary }) } : {});

/** Deliver one message; read the provider's answer the way the queue needs it. */
async function send(m: ClaimedMessage<DemoMessage>, { signal }: SendContext): Promise<void> {
  const post = () =>
    fetch(`${env.DEMO_PROVIDER_URL}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': m.idempotencyKey, 'x-worker': String(process.pid) },
      body: JSON.stringify(m.payload),
      signal,
    });
  const res = await post();
  if (res.status === 503 || res.status === 429) throw new RetryableSendError(`provider unavailable (${res.status})`);
  if (res.status >= 400 && res.status < 500) throw new PermanentSendError(`provider refused: ${res.status} ${await res.text()}`);
  if (!res.ok) throw new Error(`provider answered ${res.status}: the message may have arrived`);
  // The demo's self-check: with MSGQUEUE_DEMO_SABOTAGE=duplicate a few messages are sent twice for
  // no reason, as a hand-rolled queue would, and the demo must fail.
  if (env.MSGQUEUE_DEMO_SABOTAGE === 'duplicate' && m.payload.n % 40 === 7) await post();
}

let current: Promise<unknown> = Promise.resolve();
const stopWorker = new AbortController();
const task = asWorker
  ? null
  : cron.schedule(
      '* * * * * *',
      () => {
        current = queue
          .runOnce({ send, limit: 10, concurrency: 4, overlap: 'allow', timeBudgetMs: 5_000 })
          .then((summary) => process.send?.({ summary }))
          .catch((error: unknown) => process.send?.({ error: String(error) }));
        return current;
      },
      {
        name: 'drain-outbox',
        // A tick drains until nothing is due, so it may outlast the second: the next one is skipped, quietly.
        noOverlap: true,
        logger: { info() {}, warn() {}, debug() {}, error: (m, err) => console.error('[node-cron]', m, err ?? '') },
      },
    );
if (asWorker) {
  current = queue
    .work({ send, limit: 10, concurrency: 4, timeBudgetMs: 5_000, idleMs: 500, signal: stopWorker.signal })
    .catch((error: unknown) => process.send?.({ error: String(error) }));
}
process.send?.({ ready: true });

/** Finish the tick under way, then leave: on SIGTERM, or when the demo that started this worker is gone. */
let closing = false;
const shutdown = async () => {
  if (closing) return;
  closing = true;
  await task?.stop();
  stopWorker.abort(); // work(): no new claim or send; the sends under way finish
  await current;
  await prisma.$disconnect();
  process.exit(0);
};
process.once('SIGTERM', shutdown);
process.once('disconnect', shutdown);
