/**
 * The queue over Prisma 7: SQLite in a file by default (nothing to install or start), PostgreSQL
 * when DATABASE_URL is set. The same code drains either.
 */
import { createQueue, type DeliveryMode, type QueueHooks } from '@org/msgqueue';
import { prismaAdapter, schemaSql, splitStatements } from '@org/msgqueue-prisma';
import { type DemoMessage, LEASE_MS, RETRY_BASE_MS, TABLE } from './config.js';

/** Where the messages live: `file:/path/demo.db` or a `postgres://` URL. */
export type Storage = string;

const isPostgres = (storage: Storage) => /^postgres(ql)?:/.test(storage);

/** A Prisma client for the storage (one per process). */
export async function openPrisma(storage: Storage) {
  if (isPostgres(storage)) {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const { PrismaClient } = await import('../generated/postgresql/client.js');
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: storage, max: 4 }) });
  }
  const { PrismaBetterSqlite3 } = await import('@prisma/adapter-better-sqlite3');
  const { PrismaClient } = await import('../generated/sqlite/client.js');
  // Several processes write one file: wait for the lock instead of failing at once.
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: storage, timeout: 20_000 }) });
}

/** The demo's queue, as every process opens it. */
export function openQueue(
  prisma: Awaited<ReturnType<typeof openPrisma>>,
  storage: Storage,
  deliveryMode: DeliveryMode,
  hooks: QueueHooks = {},
) {
  const dialect = isPostgres(storage) ? 'postgresql' : 'sqlite';
  return createQueue<DemoMessage>({
    adapter: prismaAdapter(prisma, { dialect, table: TABLE }),
    leaseMs: LEASE_MS,
    backoff: { baseMs: RETRY_BASE_MS },
    maxAttempts: 5,
    deliveryMode,
    hooks,
  });
}

/** A fresh demo table (and the shared lock table), from the SQL msgqueue ships. */
export async function freshTable(prisma: Awaited<ReturnType<typeof openPrisma>>, storage: Storage): Promise<void> {
  const dialect = isPostgres(storage) ? 'postgresql' : 'sqlite';
  await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS "${TABLE}"`);
  for (const statement of splitStatements(schemaSql(dialect, { table: TABLE }))) await prisma.$executeRawUnsafe(statement);
  if (dialect === 'sqlite') await prisma.$queryRawUnsafe('PRAGMA journal_mode = WAL');
}

/** What to call the storage in the output. */
export function describeStorage(storage: Storage): string {
  return isPostgres(storage)
    ? `PostgreSQL (${new URL(storage).host}${new URL(storage).pathname})`
    : `SQLite (${storage.slice('file:'.length)})`;
}
