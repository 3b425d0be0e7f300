/**
 * One cron tick in its own process, for the queue-identity test: runs `runOnce` over the default
 * table, prints `{"sending":id}` once inside the send, holds the send open until its standard input
 * closes, then prints the tick's summary as one JSON line.
 * argv: dialect url
 */
import { createQueue } from '@org/msgqueue';
import { openClient } from '@org/msgqueue-test-support';
import type { SqlDialect } from '../../src/index.js';
import { prismaAdapter } from '../../src/index.js';

const [dialect, url] = process.argv.slice(2) as [SqlDialect, string];
const prisma = await openClient(dialect, url, 1);
const queue = createQueue({ adapter: prismaAdapter(prisma as never, { dialect }) });
const released = new Promise<void>((resolve) => {
  process.stdin.on('end', resolve);
  process.stdin.resume();
});
const summary = await queue.runOnce({
  send: async (m) => {
    process.stdout.write(`${JSON.stringify({ sending: m.id })}\n`);
    await released;
  },
});
process.stdout.write(`${JSON.stringify({ summary })}\n`);
await prisma.$disconnect();
