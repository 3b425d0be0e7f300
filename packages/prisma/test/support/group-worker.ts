/**
 * A worker for the ordered-groups tests: claims, sometimes "crashes" (abandons a claimed message
 * before its guard, so only lease expiry and the recycler bring it back), sometimes fails with a
 * retry, otherwise guards → "delivers" → acks, logging each delivery with wall-clock times.
 * A worker starved past its one-second lease (a loaded machine does that) has its ack refused, as
 * it must be: that delivery is logged unacknowledged — the message is delivered again, as
 * at-least-once promises — with the time its claim began, for the test to check it did outlive it.
 * Run as a process: argv dialect url total seed → prints one JSON line of deliveries.
 */
import { createQueue, type Queue } from '@org/msgqueue';
import { openClient } from '@org/msgqueue-test-support';
import type { SqlDialect } from '../../src/index.js';
import { prismaAdapter } from '../../src/index.js';

/** One delivery: group, position in the group, and when it was in the dialect's hands. */
export interface Delivery {
  g: number;
  n: number;
  start: number;
  end: number;
  worker: string;
  /** False when the ack was refused: the claim had lapsed (then `claimedAt` and `refusedAt` say when). */
  acked: boolean;
  /** Just before the claim statement ran. */
  claimedAt: number;
  /** Just after the ack was refused. */
  refusedAt?: number;
}

export const GROUP_QUEUE_OPTIONS = {
  leaseMs: 1_000,
  guardMarginMs: 100,
  maxAttempts: 50,
  backoff: { baseMs: 10, maxMs: 50 },
} as const;

/**
 * The machine's monotonic clock (CLOCK_MONOTONIC on Linux, one for every process), in ms. Not
 * `performance.timeOrigin + now()`: each process samples its time origin once at start-up, and on a
 * loaded machine that sample can be off by milliseconds — enough to make two deliveries of different
 * processes look overlapping when they were a few milliseconds apart.
 */
const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Drain until `total` messages are SENT (or the deadline passes). */
export async function drainGroups(
  queue: Queue<{ g: number; n: number }>,
  total: number,
  worker: string,
  seed: number,
): Promise<Delivery[]> {
  let state = seed >>> 0 || 1;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const deliveries: Delivery[] = [];
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await queue.recycleStuck();
    const claimedAt = now();
    const claim = await queue.claimBatch({ limit: 8 });
    if (claim.messages.length === 0) {
      if ((await queue.diagnose({ sampleSize: 0 })).counts.SENT >= total) break;
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    for (const m of claim.messages) {
      const roll = random();
      if (roll < 0.03) continue; // crash: abandoned in PROCESSING until its lease expires
      if (roll < 0.1) {
        await queue.fail(m, 'transient dialect error');
        continue;
      }
      const guard = await queue.guardBeforeSend(m);
      if (!guard.ok) continue;
      const start = now();
      await new Promise((r) => setTimeout(r, random() < 0.5 ? 0 : 2));
      const end = now();
      const ack = await queue.ack(m);
      const delivery = { g: m.payload.g, n: m.payload.n, start, end, worker, claimedAt };
      deliveries.push(ack.ok ? { ...delivery, acked: true } : { ...delivery, acked: false, refusedAt: now() });
    }
  }
  return deliveries;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const [dialect, url, total, seed] = process.argv.slice(2) as [SqlDialect, string, string, string];
  const prisma = await openClient(dialect, url);
  const queue = createQueue<{ g: number; n: number }>({ adapter: prismaAdapter(prisma as never, { dialect }), ...GROUP_QUEUE_OPTIONS });
  const deliveries = await drainGroups(queue, Number(total), `pid-${process.pid}`, Number(seed));
  process.stdout.write(`${JSON.stringify(deliveries)}\n`);
  await prisma.$disconnect();
}
