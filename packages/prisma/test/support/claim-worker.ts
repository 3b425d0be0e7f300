/**
 * A claimer in its own process, for the multi-process concurrency test. Claims with the given
 * limit until the table is drained, acks each message, and prints one JSON line per claim.
 * argv: provider url limit
 */
import { createQueue } from '@org/msgqueue';
import { prismaAdapter } from '../../src/index.js';
import type { Provider } from '../../src/mapping.js';

const [provider, url, limitText] = process.argv.slice(2) as [Provider, string, string];
const limit = Number(limitText);

async function client() {
  if (provider === 'postgresql') {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const { PrismaClient } = await import('../generated/postgresql/client.js');
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });
  }
  if (provider === 'mysql') {
    const { PrismaMariaDb } = await import('@prisma/adapter-mariadb');
    const { PrismaClient } = await import('../generated/mysql/client.js');
    const u = new URL(url);
    return new PrismaClient({
      adapter: new PrismaMariaDb({ host: u.hostname, port: Number(u.port || 3306), user: u.username, password: u.password, database: u.pathname.slice(1), connectionLimit: 2 }),
    });
  }
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const { PrismaClient } = await import('../generated/sqlite/client.js');
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url, timeout: 20_000 }) });
}

const prisma = await client();
const queue = createQueue({ adapter: prismaAdapter(prisma as never, { provider }) });
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
