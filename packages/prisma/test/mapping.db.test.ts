/**
 * Mappings: bad ones are refused with a typed error before any query or write; the post-mortem
 * author's existing `MessageQueue` table works once the contract's columns are added.
 */

import { createQueue, MsgQueueError } from '@org/msgqueue';
import { type PrismaAdapterOptions, prismaAdapter, type SqlDialect } from '@org/msgqueue-prisma';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { applyShippedSchema, type Client, run, snapshotTable, testDatabases } from './support/databases.js';

const spyClient = () => {
  const calls: string[] = [];
  const fn = vi.fn(async (sql: string) => {
    calls.push(sql);
    return [];
  });
  return { calls, client: { $queryRawUnsafe: fn, $executeRawUnsafe: fn, $transaction: vi.fn() } as never };
};

describe('bad mappings are refused before any query', () => {
  const cases: [string, Partial<PrismaAdapterOptions> & Record<string, unknown>, string, RegExp][] = [
    ['unknown dialect', { dialect: 'oracle' as SqlDialect }, 'INVALID_MAPPING', /dialect/],
    ['table with a quote', { table: 'messages"; DROP TABLE users; --' }, 'INVALID_MAPPING', /options\.table/],
    ['table with a space', { table: 'message queue' }, 'INVALID_MAPPING', /options\.table/],
    ['schema-qualified table', { table: 'public.messages' }, 'INVALID_MAPPING', /options\.table/],
    ['column with a semicolon', { columns: { status: 'status;' } }, 'INVALID_MAPPING', /options\.columns\.status/],
    ['column with SQL', { columns: { payload: "payload' OR '1'='1" } }, 'INVALID_MAPPING', /options\.columns\.payload/],
    ['required column set to null', { columns: { status: null as never } }, 'INVALID_MAPPING', /columns\.status.*needs this column/],
    ['unknown field', { columns: { state: 'state' } as never }, 'UNKNOWN_OPTION', /columns\.state/],
    ['two fields on one column', { columns: { createdAt: 'updated_at' } }, 'INVALID_MAPPING', /already mapped/],
    ['status value with a quote', { statuses: { SENT: "SENT'" } }, 'INVALID_MAPPING', /statuses\.SENT/],
    ['two statuses on one value', { statuses: { SENT: 'PENDING' } }, 'INVALID_MAPPING', /same stored value/],
    ['unknown status', { statuses: { DONE: 'DONE' } as never }, 'UNKNOWN_OPTION', /statuses\.DONE/],
    ['unknown option', { tabel: 'x' }, 'UNKNOWN_OPTION', /options\.tabel/],
    ['lock table with a dash', { lockTable: 'msgqueue-locks' }, 'INVALID_MAPPING', /lockTable/],
  ];
  it.each(cases)('%s → %s', (_label, options, code, message) => {
    const { client, calls } = spyClient();
    let thrown: unknown;
    try {
      prismaAdapter(client, { dialect: 'postgresql', ...options } as PrismaAdapterOptions);
    } catch (e) {
      thrown = e;
    }
    expect(MsgQueueError.isInstance(thrown, code as never), String(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
    expect(calls).toEqual([]);
  });

  it('refuses something that is not a PrismaClient', () => {
    expect(() => prismaAdapter({} as never, { dialect: 'sqlite' })).toThrow(/PrismaClient/);
  });
});

for (const db of testDatabases('mapping')) {
  describe(`mappings on ${db.label}`, () => {
    let prisma: Client;
    const q = (name: string) => (db.dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
    beforeAll(async () => {
      prisma = await db.client();
      await applyShippedSchema(prisma, db.dialect);
      await run(prisma, existingTableSql(db.dialect));
    });
    afterAll(() => prisma.$disconnect());

    const count = async (table: string) =>
      Number((await prisma.$queryRawUnsafe<{ n: unknown }[]>(`SELECT COUNT(*) AS n FROM ${q(table)}`))[0]!.n);

    it('a missing table is SCHEMA_MISMATCH on first use, naming the SQL to apply', async () => {
      const queue = createQueue({ adapter: prismaAdapter(prisma, { dialect: db.dialect, table: 'no_such_table' }) });
      await expect(queue.enqueue({})).rejects.toMatchObject({
        code: 'SCHEMA_MISMATCH',
        message: expect.stringMatching(/no_such_table.*not found/),
      });
    });

    it('a missing column is SCHEMA_MISMATCH before anything is written', async () => {
      const before = await count('msgqueue_messages');
      const queue = createQueue({ adapter: prismaAdapter(prisma, { dialect: db.dialect, columns: { leaseUntil: 'lease_end' } }) });
      await expect(queue.enqueue({ x: 1 })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH', field: 'options.columns.leaseUntil' });
      expect(await count('msgqueue_messages')).toBe(before);
    });

    it('a status column missing from an existing table is named', async () => {
      const queue = createQueue({
        adapter: prismaAdapter(prisma, { dialect: db.dialect, table: 'MessageQueue', columns: { status: 'state' } }),
      });
      await expect(queue.claimBatch()).rejects.toMatchObject({
        code: 'SCHEMA_MISMATCH',
        message: expect.stringMatching(/no column state/),
      });
    });

    describe('an existing MessageQueue table: camelCase columns, COMPLETED for SENT', () => {
      const options: PrismaAdapterOptions = {
        dialect: db.dialect,
        table: 'MessageQueue',
        columns: {
          availableAt: 'availableAt',
          claimToken: 'claimToken',
          leaseUntil: 'leaseUntil',
          possiblySent: 'possiblySent',
          lastError: 'lastError',
          createdAt: 'createdAt',
          updatedAt: 'updatedAt',
          priority: null,
          dedupeKey: null,
          groupKey: null,
        },
        statuses: { SENT: 'COMPLETED' },
        lockTable: false,
      };

      it('runs the whole life cycle, the race included, and Prisma reads what it wrote', async () => {
        await prisma.$executeRawUnsafe(`DELETE FROM ${q('MessageQueue')}`);
        const queue = createQueue<{ to: string }>({ adapter: prismaAdapter(prisma, options) });
        const { id } = await queue.enqueue({ to: 'alice' });
        const slow = (await queue.claimBatch()).messages[0]!;
        await prisma.$executeRawUnsafe(`UPDATE ${q('MessageQueue')} SET ${backdateLease(db.dialect, q)}`);
        expect((await queue.recycleStuck()).released).toEqual([id]);
        const fresh = (await queue.claimBatch()).messages[0]!;
        expect(await queue.guardBeforeSend(slow)).toMatchObject({ ok: false, reason: 'stale-claim' });
        expect((await queue.guardBeforeSend(fresh)).ok).toBe(true);
        expect((await queue.ack(fresh)).ok).toBe(true);
        expect(await queue.ack(slow)).toMatchObject({ ok: false, reason: 'stale-claim' });

        // The app's own Prisma model sees a completed row with sane times.
        const row = (await (
          prisma as unknown as { messageQueue: { findUnique(a: unknown): Promise<Record<string, unknown>> } }
        ).messageQueue.findUnique({ where: { id } }))!;
        expect(row.status).toBe('COMPLETED');
        expect(row.attempts).toBe(2);
        expect(row.payload).toEqual({ to: 'alice' });
        const skew = Math.abs((row.updatedAt as Date).getTime() - Date.now());
        expect(skew).toBeLessThan(60_000);
        expect((await queue.diagnose()).counts).toMatchObject({ SENT: 1 });
      });

      it('rows the app writes itself through Prisma are claimed', async () => {
        await prisma.$executeRawUnsafe(`DELETE FROM ${q('MessageQueue')}`);
        const model = (prisma as unknown as { messageQueue: { create(a: unknown): Promise<{ id: string }> } }).messageQueue;
        const { id } = await model.create({ data: { payload: { to: 'bob' } } });
        const queue = createQueue({ adapter: prismaAdapter(prisma, options) });
        expect((await queue.claimBatch()).messages.map((m) => m.id)).toEqual([id]);
      });

      it('a stored status the mapping does not know is refused, naming it: by the enum check, or as CORRUPT_ROW', async () => {
        await prisma.$executeRawUnsafe(`DELETE FROM ${q('MessageQueue')}`);
        const queue = createQueue({ adapter: prismaAdapter(prisma, { ...options, statuses: { SENT: 'SENT' } }) });
        const real = createQueue({ adapter: prismaAdapter(prisma, options) });
        const { id } = await real.enqueue({});
        await real.ack((await real.claimBatch()).messages[0]!);
        const before = await snapshotTable(prisma, db.dialect, 'MessageQueue');
        if (db.dialect === 'sqlite') {
          // A text column: the mapping passes the first-use check, and the row it cannot read is named.
          await expect(queue.diagnose()).rejects.toMatchObject({
            code: 'CORRUPT_ROW',
            field: 'options.statuses',
            message: expect.stringContaining('"COMPLETED"'),
          });
          await expect(queue.get(id)).rejects.toMatchObject({ code: 'CORRUPT_ROW' });
          await expect(queue.recycleStuck()).resolves.toMatchObject({ total: 0 });
        } else {
          // An enum column: the first-use check already sees that 'SENT' is not one of its values.
          await expect(queue.diagnose()).rejects.toMatchObject({
            code: 'SCHEMA_MISMATCH',
            field: 'options.columns.status',
            message: expect.stringContaining("add 'SENT' to the enum"),
          });
        }
        expect(await snapshotTable(prisma, db.dialect, 'MessageQueue')).toEqual(before);
      });

      it('enqueue with a dedupe key or priority the table cannot hold is refused, nothing written', async () => {
        await prisma.$executeRawUnsafe(`DELETE FROM ${q('MessageQueue')}`);
        const queue = createQueue({ adapter: prismaAdapter(prisma, options) });
        await expect(queue.enqueue({}, { dedupeKey: 'k' })).rejects.toMatchObject({ code: 'INVALID_MAPPING' });
        await expect(queue.enqueue({}, { priority: 1 })).rejects.toMatchObject({ code: 'INVALID_MAPPING' });
        expect(await count('MessageQueue')).toBe(0);
      });
    });
  });
}

function backdateLease(dialect: SqlDialect, q: (n: string) => string): string {
  const c = q('leaseUntil');
  if (dialect === 'postgresql') return `${c} = ${c} - INTERVAL '11 minutes'`;
  if (dialect === 'mysql') return `${c} = TIMESTAMPADD(MINUTE, -11, ${c})`;
  return `${c} = strftime('%Y-%m-%dT%H:%M:%f+00:00', ${c}, '-660 seconds')`;
}

/** The table as `prisma migrate` made it for the author's model, plus the added columns. */
function existingTableSql(dialect: SqlDialect): string[] {
  if (dialect === 'postgresql') {
    return [
      'DROP TABLE IF EXISTS "MessageQueue"',
      'DROP TYPE IF EXISTS "QueueStatus"',
      `CREATE TYPE "QueueStatus" AS ENUM ('PENDING', 'PROCESSING', 'SENDING', 'COMPLETED', 'FAILED', 'HELD')`,
      `CREATE TABLE "MessageQueue" (
        "id" TEXT NOT NULL PRIMARY KEY,
        "status" "QueueStatus" NOT NULL DEFAULT 'PENDING',
        "attempts" INTEGER NOT NULL DEFAULT 0,
        "payload" JSONB NOT NULL,
        "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "updatedAt" TIMESTAMP(3) NOT NULL,
        "availableAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "claimToken" TEXT,
        "leaseUntil" TIMESTAMP(3),
        "possiblySent" BOOLEAN NOT NULL DEFAULT false,
        "lastError" TEXT)`,
      'CREATE INDEX "MessageQueue_status_availableAt_idx" ON "MessageQueue"("status", "availableAt")',
    ];
  }
  if (dialect === 'mysql') {
    return [
      'DROP TABLE IF EXISTS `MessageQueue`',
      `CREATE TABLE \`MessageQueue\` (
        \`id\` VARCHAR(191) NOT NULL,
        \`status\` ENUM('PENDING', 'PROCESSING', 'SENDING', 'COMPLETED', 'FAILED', 'HELD') NOT NULL DEFAULT 'PENDING',
        \`attempts\` INTEGER NOT NULL DEFAULT 0,
        \`payload\` JSON NOT NULL,
        \`createdAt\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`updatedAt\` DATETIME(3) NOT NULL,
        \`availableAt\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`claimToken\` VARCHAR(191) NULL,
        \`leaseUntil\` DATETIME(3) NULL,
        \`possiblySent\` BOOLEAN NOT NULL DEFAULT false,
        \`lastError\` VARCHAR(191) NULL,
        INDEX \`MessageQueue_status_availableAt_idx\`(\`status\`, \`availableAt\`),
        PRIMARY KEY (\`id\`)
      ) DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
    ];
  }
  return [
    'DROP TABLE IF EXISTS "MessageQueue"',
    `CREATE TABLE "MessageQueue" (
      "id" TEXT NOT NULL PRIMARY KEY,
      "status" TEXT NOT NULL DEFAULT 'PENDING',
      "attempts" INTEGER NOT NULL DEFAULT 0,
      "payload" JSONB NOT NULL,
      "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "updatedAt" DATETIME NOT NULL,
      "availableAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
      "claimToken" TEXT,
      "leaseUntil" DATETIME,
      "possiblySent" BOOLEAN NOT NULL DEFAULT false,
      "lastError" TEXT)`,
    'CREATE INDEX "MessageQueue_status_availableAt_idx" ON "MessageQueue"("status", "availableAt")',
  ];
}
