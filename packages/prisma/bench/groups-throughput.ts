/**
 * Throughput of draining the queue with ordered groups, next to the ungrouped case.
 *
 *   pnpm --filter @org/msgqueue-prisma bench:groups [--db postgresql|sqlite|mariadb] [--messages 2000] [--claimers 4]
 *
 * PostgreSQL comes from DATABASE_URL or an embedded one; MariaDB from MARIADB_URL. Prints
 * messages per second per scenario and the ratio to ungrouped. A figure, not a test: nothing here
 * asserts a speed.
 */
import { parseArgs } from 'node:util';
import { createQueue } from '@org/msgqueue';
import { generateClients, openClient } from '@org/msgqueue-test-support';
import { prismaAdapter } from '../src/index.js';
import { freshDefaultTables, openTarget, quoteName } from '../test/support/target.js';

const { values } = parseArgs({
  options: {
    db: { type: 'string', default: 'postgresql' },
    messages: { type: 'string', default: '2000' },
    claimers: { type: 'string', default: '4' },
  },
});
const MESSAGES = Number(values.messages);
const CLAIMERS = Number(values.claimers);

generateClients();
const { dialect, url, cleanup } = await openTarget(values.db!);
const main = await openClient(dialect, url);
const q = (n: string) => quoteName(dialect, n);
await freshDefaultTables(main, dialect);

async function scenario(label: string, groups: number | null, count: number): Promise<{ label: string; perSecond: number; count: number }> {
  await main.$executeRawUnsafe(`DELETE FROM ${q('msgqueue_messages')}`);
  const queue = createQueue({ adapter: prismaAdapter(main as never, { dialect }) });
  for (let i = 0; i < count; i += 500) {
    const n = Math.min(500, count - i);
    await queue.enqueueMany(
      Array.from({ length: n }, (_, j) => ({ payload: { i: i + j }, ...(groups ? { groupKey: `g${(i + j) % groups}` } : {}) })),
    );
  }
  const clients = await Promise.all(Array.from({ length: CLAIMERS }, () => openClient(dialect, url, 1)));
  const started = performance.now();
  let done = 0;
  await Promise.all(
    clients.map(async (c) => {
      const worker = createQueue({ adapter: prismaAdapter(c as never, { dialect }) });
      for (let empty = 0; empty < 3 && done < count; ) {
        const claim = await worker.claimBatch({ limit: 10 });
        if (claim.messages.length === 0) {
          empty++;
          continue;
        }
        empty = 0;
        for (const m of claim.messages) {
          await worker.guardBeforeSend(m);
          await worker.ack(m);
          done++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.$disconnect()));
  const sent = (await queue.diagnose({ sampleSize: 0 })).counts.SENT;
  if (sent !== count) throw new Error(`${label}: ${sent} of ${count} sent`);
  return { label, perSecond: count / seconds, count };
}

const results = [
  await scenario('ungrouped', null, MESSAGES),
  await scenario('1000 groups', 1000, MESSAGES),
  await scenario('10 groups', 10, MESSAGES),
  // One group delivers one message at a time by design; a smaller run gives the same rate.
  await scenario('1 group', 1, Math.min(MESSAGES, 300)),
];
const base = results[0]!.perSecond;
console.log(`\nmsgqueue ordered groups — ${values.db}, ${CLAIMERS} claimers on separate connections, claim 10 → guard → ack each\n`);
console.log('scenario      messages   msg/s   vs ungrouped');
for (const r of results) {
  console.log(
    `${r.label.padEnd(12)}  ${String(r.count).padStart(8)}  ${r.perSecond.toFixed(0).padStart(6)}   ${(r.perSecond / base).toFixed(2)}×`,
  );
}
await main.$disconnect();
await cleanup();
