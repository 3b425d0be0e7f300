/**
 * Which queues the CLI works on: those a `msgqueue.config.ts` exports (your app's own `createQueue`
 * calls), or — with `--database-url` — a queue over msgqueue's default table (or `--table`) through
 * Kysely and the driver for the URL's database (pg, mysql2, better-sqlite3: install the one you use).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createQueue, type Queue } from '@org/msgqueue';
import type { SqlDialect } from '@org/msgqueue-sql';
import { kyselyAdapter } from '@org/msgqueue-sql/kysely';
import { createJiti } from 'jiti';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import type { MsgqueueConfig } from './config.js';
import { UsageError } from './errors.js';

/** Where the queues come from (the global flags). */
export interface SourceOptions {
  config?: string;
  databaseUrl?: string;
  provider?: string;
  table?: string;
  queue?: string;
}

/** The queues to work on, a line saying where they come from, and how to let go of them. */
export interface Source {
  // biome-ignore lint/suspicious/noExplicitAny: queues of any payload type.
  queues: Queue<any>[];
  from: string;
  close(): Promise<void>;
}

const CONFIG_FILES = ['msgqueue.config.ts', 'msgqueue.config.mts', 'msgqueue.config.js', 'msgqueue.config.mjs'];

export async function openSource(o: SourceOptions, cwd = process.cwd()): Promise<Source> {
  if (o.databaseUrl !== undefined) return fromUrl(o.databaseUrl, o);
  if (o.provider !== undefined || o.table !== undefined) throw new UsageError('--provider and --table go with --database-url');
  const file = o.config ? resolve(cwd, o.config) : CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  if (o.config && !existsSync(file!)) throw new UsageError(`--config: no file ${file}`);
  if (file) return fromConfig(file, o.queue);
  if (process.env.DATABASE_URL) return fromUrl(process.env.DATABASE_URL, o);
  throw new UsageError(
    `no queue to work on: write a msgqueue.config.ts exporting your queues (see msgqueue --help), or pass --database-url`,
  );
}

async function fromConfig(file: string, name: string | undefined): Promise<Source> {
  let config: MsgqueueConfig;
  try {
    config = (await createJiti(import.meta.url, { tryNative: true }).import(file, { default: true })) as MsgqueueConfig;
  } catch (error) {
    throw new UsageError(`${file}: could not load it: ${(error as Error).message.split('\n')[0]}`);
  }
  const queues = config && Array.isArray(config.queues) ? config.queues : null;
  if (!queues || queues.length === 0 || queues.some((q) => typeof q?.diagnose !== 'function')) {
    throw new UsageError(`${file}: expected \`export default defineConfig({ queues: [yourQueue, …] })\``);
  }
  return { queues: pick(queues, name), from: file, close: async () => void (await config.close?.()) };
}

// biome-ignore lint/suspicious/noExplicitAny: queues of any payload type.
function pick(queues: Queue<any>[], name: string | undefined): Queue<any>[] {
  if (name === undefined) return queues;
  const chosen = queues.filter((q) => q.options.name === name);
  if (chosen.length === 0)
    throw new UsageError(`--queue: no queue named "${name}" (there are: ${queues.map((q) => q.options.name).join(', ')})`);
  return chosen;
}

/** The database a URL names: postgres(ql)://, mysql:// or mariadb://, file: or a *.db / *.sqlite path. */
export function providerOf(url: string, given: string | undefined): SqlDialect {
  if (given !== undefined) {
    if (given === 'postgresql' || given === 'mysql' || given === 'sqlite') return given;
    throw new UsageError(`--provider: expected postgresql, mysql or sqlite, got "${given}"`);
  }
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (/^(mysql|mariadb):\/\//.test(url)) return 'mysql';
  if (/^file:/.test(url) || /\.(db|sqlite3?)$/.test(url)) return 'sqlite';
  throw new UsageError(`--database-url: cannot tell the database from "${redact(url)}"; add --provider postgresql|mysql|sqlite`);
}

/** A URL without its password, for messages. */
export const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');

async function fromUrl(url: string, o: SourceOptions): Promise<Source> {
  const dialect = providerOf(url, o.provider);
  // biome-ignore lint/suspicious/noExplicitAny: the engine writes raw SQL; no schema type is needed.
  const db = new Kysely<any>({ dialect: await kyselyDialect(dialect, url) });
  const adapter = kyselyAdapter(db, { dialect, ...(o.table !== undefined ? { table: o.table } : {}) });
  const queue = createQueue({ adapter, ...(o.queue !== undefined ? { name: o.queue } : {}) });
  return { queues: [queue], from: `${redact(url)} (${o.table ?? 'msgqueue_messages'})`, close: () => db.destroy() };
}

async function driver<T>(name: string, database: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch {
    throw new UsageError(`connecting to ${database} needs the ${name} package: npm install ${name}`);
  }
}

async function kyselyDialect(dialect: SqlDialect, url: string) {
  if (dialect === 'postgresql') {
    const pg = await driver<typeof import('pg')>('pg', 'PostgreSQL');
    const Pool = pg.Pool ?? (pg as unknown as { default: typeof import('pg') }).default.Pool;
    return new PostgresDialect({ pool: new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 }) });
  }
  if (dialect === 'mysql') {
    const mysql = await driver<typeof import('mysql2')>('mysql2', 'MySQL/MariaDB');
    return new MysqlDialect({
      pool: mysql.createPool({ uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 2, connectTimeout: 10_000 }),
    });
  }
  const sqlite = await driver<{ default: typeof import('better-sqlite3') }>('better-sqlite3', 'SQLite');
  const path = url.replace(/^file:/, '');
  if (!existsSync(path)) throw new UsageError(`--database-url: no SQLite file ${path}`);
  return new SqliteDialect({ database: new sqlite.default(path, { fileMustExist: true, timeout: 5_000 }) });
}
