/**
 * The first-use check reads every mapped column's type: a column that cannot hold what the queue
 * writes is refused with SCHEMA_MISMATCH naming it, before anything is written; text the caller
 * chooses is checked against its column's width, and lastError is cut to fit.
 */
import { createQueue, MsgQueueError } from '@org/msgqueue';
import { prismaAdapter, type SqlDialect, schemaSql, splitStatements } from '@org/msgqueue-prisma';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Client, run, testDatabases } from './support/databases.js';

const TABLE = 'typed_messages';
const q = (dialect: SqlDialect, name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);

/** The shipped table with one column's definition replaced (`undefined`: not possible on this database). */
type Variant = Partial<Record<SqlDialect, string>>;

function tableWith(dialect: SqlDialect, column: string, definition: string): string[] {
  const sql = schemaSql(dialect, { table: TABLE });
  const line = new RegExp(`^(\\s*)${q(dialect, column).replace(/[`"]/g, '.')}\\s[^\\n]*?(,?)$`, 'm');
  if (!line.test(sql)) throw new Error(`no column ${column} in the shipped ${dialect} SQL`);
  // Partial indexes on status literals cannot be built over a status column that cannot hold them.
  const statements = splitStatements(sql.replace(line, `$1${definition}$2`)).filter(
    (s) => column !== 'status' || !/^CREATE INDEX[\s\S]*WHERE "status"/.test(s),
  );
  return [`DROP TABLE IF EXISTS ${q(dialect, TABLE)}`, ...statements];
}

/** [label, field, column, definition per dialect, what the message must say]. */
const WRONG: [string, string, string, Variant, RegExp][] = [
  [
    'attempts as text',
    'attempts',
    'attempts',
    { postgresql: `"attempts" text NOT NULL DEFAULT '0'`, mysql: '`attempts` TEXT NULL', sqlite: `"attempts" TEXT NOT NULL DEFAULT '0'` },
    /attempts.*must hold integers/,
  ],
  [
    'an 8-character token column',
    'claimToken',
    'claim_token',
    { postgresql: '"claim_token" varchar(8)', mysql: '`claim_token` VARCHAR(8) NULL' }, // SQLite does not enforce lengths
    /claim_token.*\(8\).*at least 22 characters/,
  ],
  [
    'status as an integer',
    'status',
    'status',
    {
      postgresql: '"status" integer NOT NULL DEFAULT 0',
      mysql: '`status` INT NOT NULL DEFAULT 0',
      sqlite: '"status" INTEGER NOT NULL DEFAULT 0',
    },
    /status.*PENDING, PROCESSING, SENDING, SENT, FAILED, HELD/,
  ],
  [
    'status too short for PROCESSING',
    'status',
    'status',
    { postgresql: '"status" varchar(8) NOT NULL', mysql: '`status` VARCHAR(8) NOT NULL' },
    /at least 10 characters/,
  ],
  [
    'a status enum without SENDING',
    'status',
    'status',
    { mysql: "`status` ENUM('PENDING', 'PROCESSING', 'SENT', 'FAILED', 'HELD') NOT NULL DEFAULT 'PENDING'" },
    /add 'SENDING' to the enum/,
  ],
  [
    'possiblySent as an integer',
    'possiblySent',
    'possibly_sent',
    { postgresql: '"possibly_sent" integer NOT NULL DEFAULT 0', mysql: '`possibly_sent` INT NOT NULL DEFAULT 0' }, // SQLite INTEGER holds booleans
    /possibly_sent.*must hold a boolean/,
  ],
  [
    'an integer id',
    'id',
    'id',
    { postgresql: '"id" integer PRIMARY KEY', mysql: '`id` INT NOT NULL', sqlite: '"id" INTEGER NOT NULL PRIMARY KEY' },
    /\bid\b.*at least 36 characters \(the queue writes UUIDs\)/,
  ],
];

for (const db of testDatabases('column-types')) {
  describe(`column types on ${db.label}`, () => {
    let client: Client;
    beforeAll(async () => {
      client = await db.client();
      if (db.dialect === 'postgresql') {
        await client.$executeRawUnsafe(`DROP TABLE IF EXISTS ${q(db.dialect, TABLE)}`);
        await client.$executeRawUnsafe('DROP TYPE IF EXISTS "typed_status"');
        await client.$executeRawUnsafe(`CREATE TYPE "typed_status" AS ENUM ('PENDING', 'PROCESSING', 'SENT', 'FAILED', 'HELD')`);
      }
    });
    afterAll(() => client.$disconnect());
    const count = async () =>
      Number((await client.$queryRawUnsafe<{ n: unknown }[]>(`SELECT COUNT(*) AS n FROM ${q(db.dialect, TABLE)}`))[0]!.n);
    const queue = () => createQueue({ adapter: prismaAdapter(client, { dialect: db.dialect, table: TABLE }) });

    const cases = [...WRONG];
    if (db.dialect === 'postgresql') {
      cases.push([
        'a status enum without SENDING',
        'status',
        'status',
        { postgresql: `"status" "typed_status" NOT NULL DEFAULT 'PENDING'` },
        /add 'SENDING' to the enum/,
      ]);
    }
    for (const [label, field, column, variant, message] of cases) {
      const definition = variant[db.dialect];
      if (!definition) continue;
      it(`${label} is refused at first use, naming the column, before anything is written`, async () => {
        await run(client, tableWith(db.dialect, column, definition));
        const error = await queue()
          .enqueue({ n: 1 })
          .catch((e: unknown) => e);
        expect(MsgQueueError.isInstance(error, 'SCHEMA_MISMATCH'), String(error)).toBe(true);
        expect(error).toMatchObject({ field: `options.columns.${field}`, message: expect.stringMatching(message) });
        expect((error as Error).message).toContain(`${TABLE}.${column}`);
        expect(await count()).toBe(0);
      });
    }

    it('the shipped table passes the check', async () => {
      await run(client, [`DROP TABLE IF EXISTS ${q(db.dialect, TABLE)}`, ...splitStatements(schemaSql(db.dialect, { table: TABLE }))]);
      await expect(queue().enqueue({ n: 1 })).resolves.toMatchObject({ created: true });
    });

    if (db.dialect !== 'sqlite') {
      it('a dedupe key longer than its column is refused before anything is written; one that fits is stored', async () => {
        const narrow = db.dialect === 'mysql' ? '`dedupe_key` VARCHAR(20) NULL' : '"dedupe_key" varchar(20) UNIQUE';
        await run(client, tableWith(db.dialect, 'dedupe_key', narrow));
        await expect(queue().enqueue({}, { dedupeKey: 'k'.repeat(21) })).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
          field: 'options.dedupeKey',
          message: expect.stringMatching(/21 characters, more than column typed_messages\.dedupe_key holds \(20\)/),
        });
        expect(await count()).toBe(0);
        await expect(queue().enqueue({}, { dedupeKey: 'é'.repeat(20) })).resolves.toMatchObject({ created: true });
      });

      it('a status enum made before CANCELLED works for everything but cancel, which says how to add the value', async () => {
        const values = "'PENDING', 'PROCESSING', 'SENDING', 'SENT', 'FAILED', 'HELD'";
        if (db.dialect === 'postgresql') {
          await client.$executeRawUnsafe(`DROP TABLE IF EXISTS ${q(db.dialect, TABLE)}`);
          await client.$executeRawUnsafe('DROP TYPE IF EXISTS "typed_status_old"');
          await client.$executeRawUnsafe(`CREATE TYPE "typed_status_old" AS ENUM (${values})`);
        }
        const column =
          db.dialect === 'mysql'
            ? `\`status\` ENUM(${values}) NOT NULL DEFAULT 'PENDING'`
            : `"status" "typed_status_old" NOT NULL DEFAULT 'PENDING'`;
        await run(client, tableWith(db.dialect, 'status', column));
        const qq = queue();
        const { id } = await qq.enqueue({ n: 1 });
        await qq.enqueue({ n: 2 });
        const [m] = (await qq.claimBatch({ limit: 1 })).messages;
        expect(await qq.ack(m!)).toMatchObject({ ok: true });
        expect((await qq.diagnose({ sampleSize: 0 })).counts).toMatchObject({ SENT: 1, PENDING: 1, CANCELLED: 0 });
        expect((await qq.cancel({ ids: [id], dryRun: true })).refused).toEqual([expect.objectContaining({ id, status: 'SENT' })]);
        await expect(qq.cancel({ olderThanMs: 0 })).rejects.toMatchObject({
          code: 'SCHEMA_MISMATCH',
          field: 'options.statuses.CANCELLED',
          message: expect.stringMatching(/an enum without 'CANCELLED'/),
        });
        expect((await qq.diagnose({ sampleSize: 0 })).counts.PENDING).toBe(1);
      });

      it('an error longer than the lastError column is cut to fit, not a storage error', async () => {
        const narrow = db.dialect === 'mysql' ? '`last_error` VARCHAR(191) NULL' : '"last_error" varchar(191)';
        await run(client, tableWith(db.dialect, 'last_error', narrow));
        const qq = queue();
        const { id } = await qq.enqueue({});
        const m = (await qq.claimBatch()).messages[0]!;
        expect(await qq.fail(m, new Error('x'.repeat(1_000)))).toMatchObject({ ok: true });
        const lastError = (await qq.get(id))!.lastError!;
        expect([...lastError]).toHaveLength(191);
        expect(lastError.endsWith('…')).toBe(true);
      });
    }
  });
}
