/**
 * `prismaStatementNames` turns PrismaPg's statements into named prepared statements: the queue works
 * the same through them (claims, guards, coalesced acks, an enqueue in the caller's transaction), and
 * PostgreSQL holds each of the queue's statements prepared once on the connection.
 */
import { createQueue } from '@org/msgqueue';
import { prismaAdapter, prismaStatementNames, schemaSql, splitStatements } from '@org/msgqueue-prisma';
import { PrismaClient } from '@org/msgqueue-test-support/generated/postgresql/client.js';
import { PrismaPg } from '@prisma/adapter-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, postgresDb, run } from './support/databases.js';

const TABLE = 'prepared_messages';

describe('prismaStatementNames on PostgreSQL', () => {
  let prisma: Client;
  beforeAll(async () => {
    // One connection: every statement, and the look at pg_prepared_statements, share its session.
    const adapter = new PrismaPg({ connectionString: postgresDb().url, max: 1 }, { statementNameGenerator: prismaStatementNames });
    prisma = new PrismaClient({ adapter }) as unknown as Client;
    await prisma.$executeRawUnsafe(`DROP TABLE IF EXISTS "${TABLE}"`);
    await run(prisma, splitStatements(schemaSql('postgresql', { table: TABLE })));
  });
  afterAll(() => prisma.$disconnect());

  it('drains through prepared statements, each prepared once', async () => {
    const queue = createQueue<{ n: number }>({
      adapter: prismaAdapter(prisma, { dialect: 'postgresql', table: TABLE, lockTable: false }),
    });
    await queue.enqueueMany(Array.from({ length: 25 }, (_, n) => ({ payload: { n } })));
    await prisma.$transaction(async (tx) => {
      await queue.enqueue({ n: 25 }, { transaction: tx });
    });
    const seen: number[] = [];
    const summary = await queue.runOnce({ limit: 10, concurrency: 4, send: async (m) => void seen.push(m.payload.n) });
    expect(summary).toMatchObject({ claimed: 26, sent: 26, batches: 3, storageErrors: 0 });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 26 }, (_, n) => n));
    expect((await queue.diagnose()).counts.SENT).toBe(26);

    const prepared = await prisma.$queryRawUnsafe<{ name: string; statement: string }[]>(
      "SELECT name, statement FROM pg_prepared_statements WHERE name LIKE 'msgqueue\\_%'",
    );
    // Each text prepared once: dozens of claims, guards and acks ran over a handful of statements.
    expect(new Set(prepared.map((p) => p.statement)).size).toBe(prepared.length);
    expect(prepared.length).toBeLessThan(40);
    expect(prepared.some((p) => p.statement.includes('FOR UPDATE SKIP LOCKED'))).toBe(true);
  });
});
