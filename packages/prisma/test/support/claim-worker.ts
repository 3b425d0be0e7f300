/**
 * A claimer in its own process, for the multi-process concurrency test. Claims with the given
 * limit until the table is drained, acks each message, and prints one JSON line per claim.
 * argv: dialect url limit
 */
import { createQueue } from '@org/msgqueue';
import { openClient } from '@org/msgqueue-test-support';
import type { SqlDialect } from '../../src/index.js';
import { prismaAdapter } from '../../src/index.js';

const [dialect, url, limitText] = process.argv.slice(2) as [SqlDialect, string, string];
const limit = Number(limitText);

const prisma = await openClient(dialect, url);
const queue = createQueue({ adapter: prismaAdapter(prisma as never, { dialect }) });
let empty = 0;
while (empty < 3) {
  const claim = await queue.claimBatch({ limit });
  if (claim.messages.length === 0) {
    empty++;
    await new Promise((r) => setTimeout(r, 20));
    continue;
  }
  empty = 0;
  process.stdout.write(`${JSON.stringify({ pid: process.pid, limit, ids: claim.messages.map((m) => m.id) })}\n`);
  for (const m of claim.messages) {
    const g = await queue.guardBeforeSend(m);
    const a = await queue.ack(m);
    if (!g.ok || !a.ok) process.stdout.write(`${JSON.stringify({ refused: m.id, g, a })}\n`);
  }
}
await prisma.$disconnect();
