/**
 * The switch-over on a live, hand-rolled table (docs/adopting-an-existing-table.md): a MessageQueue
 * table in its old shape with PENDING, stuck PROCESSING, COMPLETED and FAILED rows written by plain
 * SQL, the guide's migration applied statement by statement as Prisma would, then cron ticks.
 */
import { readFileSync } from 'node:fs';
import { createQueue, type DeliveryMode } from '@org/msgqueue';
import { type PrismaAdapterOptions, prismaAdapter, type SqlDialect, splitStatements } from '@org/msgqueue-prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, run, snapshotTable, type TestDb, testDatabases } from './support/databases.js';

const GUIDE = readFileSync(new URL('../../../docs/adopting-an-existing-table.md', import.meta.url), 'utf8');
const LABEL: Record<SqlDialect, string> = { postgresql: 'PostgreSQL', mysql: 'MySQL', sqlite: 'SQLite' };
const FIX = /^-- Added by hand[^\n]*\n[^\n]*\n?/m;

/** The guide's migration for a dialect, as its reader would paste it (with or without the line added by hand). */
function guideMigration(dialect: SqlDialect, withFix = true): string[] {
  const marker = `-- prisma/migrations/<timestamp>_msgqueue/migration.sql — ${LABEL[dialect]}\n`;
  const start = GUIDE.indexOf(marker);
  if (start < 0) throw new Error(`the guide has no migration for ${dialect}`);
  const body = GUIDE.slice(start + marker.length, GUIDE.indexOf('```', start));
  if (!FIX.test(body)) throw new Error(`the ${dialect} migration lost its line added by hand`);
  return splitStatements(withFix ? body : body.replace(FIX, ''));
}

const MAPPING = {
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
} satisfies Omit<PrismaAdapterOptions, 'dialect'>;

const q = (dialect: SqlDialect, name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);

/** A UTC time `ms` before the database's now, in the column format Prisma writes. */
function ago(dialect: SqlDialect, ms: number): string {
  if (dialect === 'postgresql') return `((now() AT TIME ZONE 'UTC') - ${ms} * INTERVAL '1 millisecond')`;
  if (dialect === 'mysql') return `TIMESTAMPADD(MICROSECOND, ${-ms * 1000}, UTC_TIMESTAMP(3))`;
  return `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '${-ms / 1000} seconds')`;
}

/** The table as `prisma migrate` created it for the old model, before msgqueue. */
function oldTable(dialect: SqlDialect): string[] {
  if (dialect === 'postgresql') {
    return [
      'DROP TABLE IF EXISTS "MessageQueue"',
      'DROP TYPE IF EXISTS "QueueStatus"',
      `CREATE TYPE "QueueStatus" AS ENUM ('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED')`,
      `CREATE TABLE "MessageQueue" (
        "id" TEXT NOT NULL,
        "status" "QueueStatus" NOT NULL DEFAULT 'PENDING',
        "attempts" INTEGER NOT NULL DEFAULT 0,
        "payload" JSONB NOT NULL,
        "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
        "updatedAt" TIMESTAMP(3) NOT NULL,
        CONSTRAINT "MessageQueue_pkey" PRIMARY KEY ("id"))`,
    ];
  }
  if (dialect === 'mysql') {
    return [
      'DROP TABLE IF EXISTS `MessageQueue`',
      `CREATE TABLE \`MessageQueue\` (
        \`id\` VARCHAR(191) NOT NULL,
        \`status\` ENUM('PENDING', 'PROCESSING', 'COMPLETED', 'FAILED') NOT NULL DEFAULT 'PENDING',
        \`attempts\` INTEGER NOT NULL DEFAULT 0,
        \`payload\` JSON NOT NULL,
        \`createdAt\` DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        \`updatedAt\` DATETIME(3) NOT NULL,
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
      "updatedAt" DATETIME NOT NULL)`,
  ];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The rows the old code left: [id, status, attempts, last update ago]. */
const OLD_ROWS: [string, string, number, number][] = [
  ['pending-1', 'PENDING', 0, 2 * HOUR],
  ['pending-2', 'PENDING', 0, 2 * HOUR],
  ['pending-3', 'PENDING', 0, 2 * HOUR],
  ['stuck-1', 'PROCESSING', 1, 3 * HOUR], // the old cron died mid-send
  ['stuck-2', 'PROCESSING', 2, 3 * HOUR],
  ['stuck-out', 'PROCESSING', 3, 3 * HOUR], // … on its last attempt
  ['working', 'PROCESSING', 1, 0], // the old code is on it right now
  ['done-1', 'COMPLETED', 1, HOUR],
  ['done-2', 'COMPLETED', 2, HOUR],
  ['failed', 'FAILED', 3, HOUR],
];

async function oldTableWithRows(client: Client, dialect: SqlDialect): Promise<void> {
  await run(client, oldTable(dialect));
  for (const [id, status, attempts, updated] of OLD_ROWS) {
    await client.$executeRawUnsafe(
      `INSERT INTO ${q(dialect, 'MessageQueue')} (${['id', 'status', 'attempts', 'payload', 'createdAt', 'updatedAt'].map((c) => q(dialect, c)).join(', ')})
       VALUES ('${id}', '${status}', ${attempts}, '{"to":"${id}"}', ${ago(dialect, updated + HOUR)}, ${ago(dialect, updated)})`,
    );
  }
}

const statusOf = async (client: Client, dialect: SqlDialect) =>
  Object.fromEntries(
    (
      await client.$queryRawUnsafe<{ id: string; status: string; possiblySent: unknown }[]>(
        `SELECT ${q(dialect, 'id')} AS id, ${q(dialect, 'status')} AS status, ${q(dialect, 'possiblySent')} AS ${q(dialect, 'possiblySent')} FROM ${q(dialect, 'MessageQueue')}`,
      )
    ).map((r) => [r.id, `${r.status}${Number(r.possiblySent) ? '+possiblySent' : ''}`]),
  );

const touchedNothing = (rows: string[], ids: string[]) => rows.filter((r) => ids.some((id) => r.includes(`"${id}"`)));

function adoption(db: TestDb, mode: DeliveryMode) {
  it(`${mode}: stuck rows come back as the mode promises after the grace period; nothing else is touched`, async () => {
    const client = await db.client({ pool: 1 });
    try {
      await oldTableWithRows(client, db.dialect);
      await run(client, guideMigration(db.dialect));
      const untouched = ['done-1', 'done-2', 'failed'];
      const before = touchedNothing(await snapshotTable(client, db.dialect, 'MessageQueue'), untouched);
      const queue = createQueue<{ to: string }>({
        adapter: prismaAdapter(client, { dialect: db.dialect, ...MAPPING }),
        deliveryMode: mode,
      });

      const report = await queue.diagnose();
      expect(report).toMatchObject({ orphanedInFlight: 4, duePending: 3, inFlightTooLong: 0 });
      expect(report.findings.map((f) => f.code)).toContain('ORPHANED_IN_FLIGHT');
      expect(report.findings.map((f) => f.code)).not.toContain('IN_FLIGHT_TOO_LONG');

      const sent: string[] = [];
      const send = async (m: { id: string }) => void sent.push(m.id);
      const tick = await queue.runOnce({ send });
      expect(tick.recycled!.orphans.sort()).toEqual(['stuck-1', 'stuck-2', 'stuck-out']);
      const resent = mode === 'at-least-once' ? ['stuck-1', 'stuck-2'] : [];
      expect(sent.sort()).toEqual(['pending-1', 'pending-2', 'pending-3', ...resent].sort());

      const after = await statusOf(client, db.dialect);
      expect(after).toMatchObject({ 'pending-1': 'COMPLETED', 'pending-2': 'COMPLETED', 'pending-3': 'COMPLETED' });
      expect(after.working).toBe('PROCESSING'); // inside the grace period: left to the old code
      if (mode === 'at-least-once') {
        expect(after).toMatchObject({
          'stuck-1': 'COMPLETED+possiblySent',
          'stuck-2': 'COMPLETED+possiblySent',
          'stuck-out': 'FAILED+possiblySent',
        });
      } else {
        expect(after).toMatchObject({ 'stuck-1': 'HELD+possiblySent', 'stuck-2': 'HELD+possiblySent', 'stuck-out': 'HELD+possiblySent' });
      }

      // The grace period passes: the row the old code was on comes back too.
      await client.$executeRawUnsafe(
        `UPDATE ${q(db.dialect, 'MessageQueue')} SET ${q(db.dialect, 'updatedAt')} = ${ago(db.dialect, 11 * MINUTE)} WHERE ${q(db.dialect, 'id')} = 'working'`,
      );
      const later = await queue.runOnce({ send });
      expect(later.recycled!.orphans).toEqual(['working']);
      expect((await statusOf(client, db.dialect)).working).toBe(mode === 'at-least-once' ? 'COMPLETED+possiblySent' : 'HELD+possiblySent');

      const final = await queue.diagnose();
      expect(final.counts).toMatchObject({ PENDING: 0, PROCESSING: 0, SENDING: 0 });
      expect(final.orphanedInFlight).toBe(0);
      expect(touchedNothing(await snapshotTable(client, db.dialect, 'MessageQueue'), untouched)).toEqual(before);
    } finally {
      await client.$disconnect();
    }
  });
}

for (const db of testDatabases('adopt')) {
  describe(`adopting a live MessageQueue table on ${db.label}`, () => {
    adoption(db, 'at-least-once');
    adoption(db, 'at-most-once');
  });
}

/** Europe/Paris is ahead of UTC all year: a session there writes local time into `timestamp` columns. */
const SESSION_AHEAD: Partial<Record<SqlDialect, string>> = {
  postgresql: `SET TIME ZONE 'Europe/Paris'`,
  mysql: `SET time_zone = '+01:00'`,
};

for (const db of testDatabases('adopt-tz').filter((d) => SESSION_AHEAD[d.dialect])) {
  describe(`adopting on ${db.label} from a session ahead of UTC`, () => {
    let client: Client;
    beforeAll(async () => {
      client = await db.client({ pool: 1 });
      await client.$executeRawUnsafe(SESSION_AHEAD[db.dialect]!);
      await oldTableWithRows(client, db.dialect);
    });
    afterAll(() => client.$disconnect());

    it("Prisma's migration alone leaves old rows waiting an offset for nothing; diagnose says so, and the guide's line fixes it", async () => {
      await run(client, guideMigration(db.dialect, false));
      const queue = createQueue({ adapter: prismaAdapter(client, { dialect: db.dialect, ...MAPPING }) });
      const shifted = await queue.diagnose();
      expect(shifted.duePending).toBe(0);
      const finding = shifted.findings.find((f) => f.code === 'TIME_ZONE_SHIFT');
      expect(finding?.message).toMatch(/^3 PENDING message\(s\) are due up to \+0[12]:00 from now/);

      await client.$executeRawUnsafe(guideMigration(db.dialect).at(-1)!); // the line added by hand
      const fixed = await queue.diagnose();
      expect(fixed.duePending).toBe(3);
      expect(fixed.findings.map((f) => f.code)).not.toContain('TIME_ZONE_SHIFT');
    });
  });
}
