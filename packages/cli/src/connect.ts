/**
 * Which queues the CLI works on: those a `msgqueue.config.ts` exports (your app's own `createQueue`
 * calls), or — with `--database-url` — the queues msgqueue's default table (or `--table`) holds,
 * every one unless `--queue` names one, through Kysely and the driver for the URL's database (pg,
 * mysql2, better-sqlite3: install the one you use).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createQueue, type Queue } from '@org/msgqueue';
import { DIALECTS, type SqlDialect, sqlAdapter } from '@org/msgqueue-sql';
import { kyselyClient } from '@org/msgqueue-sql/kysely';
import { createJiti } from 'jiti';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect } from 'kysely';
import type { MsgqueueConfig } from './config.js';
import { UsageError } from './errors.js';

/** Where the queues come from (the global flags). */
export interface SourceOptions {
  config?: string;
  databaseUrl?: string;
  dialect?: string;
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
  if (o.dialect !== undefined || o.table !== undefined) throw new UsageError('--dialect and --table go with --database-url');
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
export function dialectOf(url: string, given: string | undefined): SqlDialect {
  if (given !== undefined) {
    if (DIALECTS.includes(given as SqlDialect)) return given as SqlDialect;
    throw new UsageError(`--dialect: expected ${DIALECTS.join(', ')}, got "${given}"`);
  }
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  if (/^(mysql|mariadb):\/\//.test(url)) return 'mysql';
  if (/^file:/.test(url) || /\.(db|sqlite3?)$/.test(url)) return 'sqlite';
  throw new UsageError(`--database-url: cannot tell the database from "${redact(url)}"; add --dialect postgresql|mysql|sqlite`);
}

/** Query parameters that may carry a password (libpq's `password`, `sslpassword`, …). */
const SECRET_PARAM = /pass|pwd|secret|token|key/i;

/**
 * A URL as it may be shown: the password and any password-like query parameter replaced by `***`,
 * whatever characters the password holds (an `@` included: a URL's user part ends at its last `@`).
 */
export function redact(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // Not a URL (a SQLite path, a typo): hide whatever sits between "//" and the last "@" of the authority.
    return url.replace(/\/\/[^/?#]*@/, '//***@');
  }
  if (u.password) u.password = '***';
  for (const key of [...u.searchParams.keys()]) if (SECRET_PARAM.test(key)) u.searchParams.set(key, '***');
  return u.toString().replace(/%2A%2A%2A/g, '***');
}

/**
 * The secrets of a URL, in every form they may be printed (decoded, as written, encoded), for
 * scrubbing from anything the CLI prints: a driver's error may echo part of a URL it parsed its own way.
 */
export function secretsOf(url: string | undefined): string[] {
  if (!url) return [];
  const out = new Set<string>();
  try {
    const u = new URL(url);
    const add = (value: string) => {
      if (value.length < 3) return; // "***" everywhere a two-letter word appears helps nobody
      out.add(value);
      out.add(encodeURIComponent(value));
      try {
        out.add(decodeURIComponent(value));
      } catch {}
    };
    if (u.password) add(u.password);
    for (const [key, value] of u.searchParams) if (SECRET_PARAM.test(key)) add(value);
  } catch {
    const written = /\/\/[^:/]*:([^/?#]*)@/.exec(url)?.[1];
    if (written && written.length >= 3) out.add(written);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with every secret of `url` replaced by `***`. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  return out;
}

/** The driver each database is opened through: what the user installs, and what messages name. */
const DRIVER: Record<SqlDialect, string> = { postgresql: 'pg', mysql: 'mysql2', sqlite: 'better-sqlite3' };

async function fromUrl(url: string, o: SourceOptions): Promise<Source> {
  const dialect = dialectOf(url, o.dialect);
  const table = o.table ?? 'msgqueue_messages';
  const from = `${redact(url)} (table ${table})`;
  // biome-ignore lint/suspicious/noExplicitAny: the engine writes raw SQL; no schema type is needed.
  const db = new Kysely<any>({ dialect: await kyselyDialect(dialect, url) });
  try {
    // Named after the driver the user installed; no run-lock table needed: the CLI never ticks.
    const adapter = sqlAdapter(
      kyselyClient(db),
      { dialect, lockTable: false, ...(o.table !== undefined ? { table: o.table } : {}) },
      { name: DRIVER[dialect] },
    );
    const names = await adapter.queueNames!();
    const queue = (name: string) => createQueue({ adapter, name });
    let queues: Queue<unknown>[];
    if (o.queue !== undefined) {
      if (names !== null && !names.includes(o.queue)) {
        throw new UsageError(
          names.length === 0
            ? `--queue: no queue named "${o.queue}" in ${from}: the table holds no messages (a queue appears there with its first message)`
            : `--queue: no queue named "${o.queue}" in ${from}; the queues there: ${names.join(', ')}`,
        );
      }
      queues = [queue(o.queue)];
    } else {
      // Every queue the table holds, so nothing is reported healthy without being looked at.
      queues = names === null || names.length === 0 ? [queue('default')] : names.map(queue);
    }
    return { queues, from, close: () => db.destroy() };
  } catch (error) {
    await db.destroy().catch(() => {});
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${from}: ${forCli(firstLine(error instanceof Error ? error.message : String(error)))}`);
  }
}

/** A message of the engine in the CLI's words: the flag to pass rather than the option to set. */
export function forCli(message: string): string {
  return message
    .replace(/set options\.table to your table/g, 'pass --table <your table>')
    .replace(/options\.table/g, '--table')
    .replace(
      /with options\.columns\.\w+/g,
      'in a msgqueue.config.ts whose queue maps your columns (--database-url reads the default ones)',
    );
}

const firstLine = (text: string) => text.split('\n')[0]!;

async function driver<T>(name: string, database: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch {
    throw new UsageError(`connecting to ${database} needs the ${name} package: npm install ${name}`);
  }
}

/** The URL as drivers should read it: re-serialised, so a password's `@` or `:` arrives encoded. */
function normalized(url: string): string {
  try {
    return new URL(url.replace(/^mariadb:/, 'mysql:')).toString();
  } catch {
    return url.replace(/^mariadb:/, 'mysql:');
  }
}

async function kyselyDialect(dialect: SqlDialect, url: string) {
  switch (dialect) {
    case 'postgresql': {
      const pg = await driver<typeof import('pg')>('pg', 'PostgreSQL');
      const Pool = pg.Pool ?? (pg as unknown as { default: typeof import('pg') }).default.Pool;
      return new PostgresDialect({ pool: new Pool({ connectionString: normalized(url), max: 2, connectionTimeoutMillis: 10_000 }) });
    }
    case 'mysql': {
      const mysql = await driver<typeof import('mysql2')>('mysql2', 'MySQL/MariaDB');
      return new MysqlDialect({
        pool: mysql.createPool({ uri: normalized(url), connectionLimit: 2, connectTimeout: 10_000 }),
      });
    }
    case 'sqlite': {
      const sqlite = await driver<{ default: typeof import('better-sqlite3') }>('better-sqlite3', 'SQLite');
      const path = url.replace(/^file:/, '');
      if (!existsSync(path)) throw new UsageError(`--database-url: no SQLite file ${path}`);
      return new SqliteDialect({ database: new sqlite.default(path, { fileMustExist: true, timeout: 5_000 }) });
    }
    default: {
      const unknown: never = dialect;
      throw new UsageError(`no driver for ${String(unknown)}`);
    }
  }
}
