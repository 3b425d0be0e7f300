/** Real databases for the Prisma adapter's tests: clients, schema, clean tables, moving time. */
import type { ConformanceHarness } from '@org/msgqueue-conformance';
import { type PrismaAdapterOptions, type PrismaLike, prismaAdapter, type SqlDialect } from '@org/msgqueue-prisma';
import { backdate, mariadbUrl, openClient, postgresUrl, sqliteFile } from '@org/msgqueue-test-support';
import { freshDefaultTables } from './target.js';

const q = (dialect: SqlDialect, name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);

/** A PrismaClient as the tests use it. */
export type Client = PrismaLike & { $disconnect(): Promise<void> } & Record<string, unknown>;

/** One database the tests can open clients on. */
export interface TestDb {
  dialect: SqlDialect;
  label: string;
  /** Connection URL (a `file:` URL for SQLite), for worker processes. */
  url: string;
  /** A new PrismaClient with its own connection(s). */
  client(options?: { pool?: number }): Promise<Client>;
}

function testDb(dialect: SqlDialect, label: string, url: string): TestDb {
  return {
    dialect,
    label,
    url,
    client: async ({ pool = 4 } = {}) => (await openClient(dialect, url, pool)) as unknown as Client,
  };
}

export function postgresDb(): TestDb {
  return testDb('postgresql', 'postgresql', postgresUrl());
}

/** MariaDB/MySQL, or null when MARIADB_URL is not set. */
export function mariadbDb(): TestDb | null {
  const url = mariadbUrl();
  return url ? testDb('mysql', 'mariadb', url) : null;
}

export function sqliteDb(name: string): TestDb {
  return testDb('sqlite', 'sqlite', `file:${sqliteFile(name)}`);
}

/** Every database this run can reach: PostgreSQL and SQLite always, MariaDB when configured. */
export function testDatabases(name: string): TestDb[] {
  return [postgresDb(), sqliteDb(name), mariadbDb()].filter((d): d is TestDb => d !== null);
}

/** Apply the SQL this package ships for the dialect, on fresh tables (servers outlive test runs). */
export const applyShippedSchema = (client: Client, dialect: SqlDialect) => freshDefaultTables(client, dialect);

/** Run statements one by one. */
export async function run(client: Client, statements: string[]): Promise<void> {
  for (const s of statements) await client.$executeRawUnsafe(s);
}

/** Every row of a table, every column as text, ordered by id: for "nothing changed" checks. */
export async function snapshotTable(client: Client, dialect: SqlDialect, table: string): Promise<string[]> {
  const rows = await client.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM ${q(dialect, table)} ORDER BY ${q(dialect, 'id')}`);
  return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
}

/** Empty the default tables. */
export async function clearDefaultTables(client: Client, dialect: SqlDialect): Promise<void> {
  for (const t of ['msgqueue_messages', 'msgqueue_locks', 'msgqueue_gates']) await client.$executeRawUnsafe(`DELETE FROM ${q(dialect, t)}`);
}

/** Move every stored time of the default tables back by `ms`. */
export async function advanceDefaultTables(client: Client, dialect: SqlDialect, ms: number): Promise<void> {
  const cols = ['available_at', 'lease_until', 'created_at', 'updated_at'].map((c) => backdate(dialect, c, ms));
  await client.$executeRawUnsafe(`UPDATE ${q(dialect, 'msgqueue_messages')} SET ${cols.join(', ')}`);
  await client.$executeRawUnsafe(`UPDATE ${q(dialect, 'msgqueue_locks')} SET ${backdate(dialect, 'expires_at', ms)}`);
  await client.$executeRawUnsafe(
    `UPDATE ${q(dialect, 'msgqueue_gates')} SET ${backdate(dialect, 'paused_until', ms)}, ${backdate(dialect, 'updated_at', ms)}`,
  );
}

/** The conformance harness over the default table of one database. */
export function harness(db: TestDb, options: Partial<PrismaAdapterOptions> = {}): ConformanceHarness {
  let main: Client | undefined;
  return {
    name: `prisma:${db.label}`,
    async beforeAll() {
      main = await db.client();
      await applyShippedSchema(main, db.dialect);
    },
    async afterAll() {
      await main?.$disconnect();
    },
    async setup() {
      const client = main!;
      await clearDefaultTables(client, db.dialect);
      const extra: Client[] = [];
      return {
        adapter: prismaAdapter(client, { dialect: db.dialect, ...options }),
        advance: (ms) => advanceDefaultTables(client, db.dialect, ms),
        transaction: (fn) => client.$transaction((tx) => fn(tx), { timeout: 20_000, maxWait: 20_000 }),
        client,
        strand: async (id, status) => {
          const p = db.dialect === 'postgresql' ? '$1' : '?';
          const now =
            db.dialect === 'postgresql'
              ? 'now()'
              : db.dialect === 'mysql'
                ? 'UTC_TIMESTAMP(3)'
                : `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')`;
          await client.$executeRawUnsafe(
            `UPDATE ${q(db.dialect, 'msgqueue_messages')} SET ${q(db.dialect, 'status')} = '${status}', ${q(db.dialect, 'claim_token')} = NULL, ${q(db.dialect, 'lease_until')} = NULL, ${q(db.dialect, 'updated_at')} = ${now} WHERE ${q(db.dialect, 'id')} = ${p}`,
            id,
          );
        },
        snapshot: () => snapshotTable(client, db.dialect, 'msgqueue_messages'),
        async connect() {
          const c = await db.client({ pool: 1 });
          extra.push(c);
          return prismaAdapter(c, { dialect: db.dialect, ...options });
        },
        async teardown() {
          await Promise.all(extra.map((c) => c.$disconnect()));
        },
      };
    },
  };
}
