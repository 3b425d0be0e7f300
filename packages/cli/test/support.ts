/** The CLI's tests: run it as a subprocess, and seed a database with the post-mortem's situations. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createQueue, type Queue } from '@org/msgqueue';
import { type SqlDialect, schemaSql, splitStatements } from '@org/msgqueue-sql';
import { kyselyAdapter } from '@org/msgqueue-sql/kysely';
import { backdate, mariadbUrl, postgresUrl, sqliteFile } from '@org/msgqueue-test-support';
import Database from 'better-sqlite3';
import { Kysely, MysqlDialect, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { createPool } from 'mysql2';
import pg from 'pg';
import { main } from '../src/program.js';

const pkg = fileURLToPath(new URL('..', import.meta.url));
const bin = join(pkg, 'dist', 'bin.js');

/** What a CLI run printed and how it ended. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run `msgqueue …` in this process, through the same `main` the binary calls: what it printed, and the
 * exit code it would end with. For what the built binary adds (its process, a config file loaded by
 * jiti, the environment), {@link cli}.
 */
export async function runCli(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    out: (text) => {
      stdout += `${text}\n`;
    },
    err: (text) => {
      stderr += `${text}\n`;
    },
    interactive: false,
  });
  return { code, stdout, stderr };
}

/** Run the built `msgqueue …` in its own process (the e2e project's setup builds it), never throwing on a non-zero exit. */
export function cli(args: string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const { DATABASE_URL: _, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd: options.cwd ?? pkg, env: { ...env, NO_COLOR: '1', ...options.env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** One database the CLI is tested on: its URL for the CLI, and a Kysely for the test's own reads and writes. */
export interface TestDatabase {
  dialect: SqlDialect;
  url: string;
  // biome-ignore lint/suspicious/noExplicitAny: raw SQL only.
  db: Kysely<any>;
  queue(options?: { deliveryMode?: 'at-least-once' | 'at-most-once'; name?: string }): Queue<{ n: number }>;
  /** Every row, every column as text, by id. */
  snapshot(): Promise<string[]>;
  /** Move a row's times back by `ms`. */
  age(id: string, ms: number): Promise<void>;
  /** Run a statement. */
  exec(statement: string): Promise<void>;
  /** Empty the tables and apply the shipped schema. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** One of this test file's databases; null for MariaDB when MARIADB_URL is not set. */
export async function openDatabase(dialect: SqlDialect): Promise<TestDatabase | null> {
  const none = async () => {};
  if (dialect === 'postgresql') {
    return wrap(dialect, postgresUrl(), new PostgresDialect({ pool: new pg.Pool({ connectionString: postgresUrl(), max: 2 }) }), none);
  }
  if (dialect === 'sqlite') {
    const file = sqliteFile('cli');
    return wrap(dialect, `file:${file}`, new SqliteDialect({ database: new Database(file) }), none);
  }
  const mariadb = mariadbUrl();
  if (!mariadb) return null;
  const pool = createPool({ uri: mariadb.replace(/^mariadb:/, 'mysql:'), connectionLimit: 2 });
  return wrap(dialect, mariadb, new MysqlDialect({ pool }), none);
}

function wrap(
  dialect: SqlDialect,
  url: string,
  kyselyDialect: PostgresDialect | SqliteDialect | MysqlDialect,
  drop: () => Promise<void>,
): TestDatabase {
  // biome-ignore lint/suspicious/noExplicitAny: raw SQL only.
  const db = new Kysely<any>({ dialect: kyselyDialect });
  const q = (name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);
  const exec = async (statement: string) => void (await sql.raw(statement).execute(db));
  return {
    dialect,
    url,
    db,
    queue: (options = {}) => createQueue({ adapter: kyselyAdapter(db, { dialect }), ...options }),
    async snapshot() {
      const { rows } = await sql.raw<Record<string, unknown>>(`SELECT * FROM ${q('msgqueue_messages')} ORDER BY ${q('id')}`).execute(db);
      return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
    },
    age: (id, ms) =>
      exec(
        `UPDATE ${q('msgqueue_messages')} SET ${['available_at', 'lease_until', 'created_at', 'updated_at'].map((c) => backdate(dialect, c, ms)).join(', ')} WHERE ${q('id')} = '${id}'`,
      ),
    exec,
    async reset() {
      for (const t of ['msgqueue_messages', 'msgqueue_locks', 'msgqueue_gates']) await exec(`DROP TABLE IF EXISTS ${q(t)}`);
      for (const s of splitStatements(schemaSql(dialect))) await exec(s);
    },
    close: async () => {
      await db.destroy();
      await drop();
    },
  };
}

const MINUTE = 60_000;

/** The post-mortem's table, by id: what each row is. */
export interface Seeded {
  /** PROCESSING, lease expired 35 minutes ago (its worker died). */
  stuck: string;
  /** SENDING past its lease (died mid-send). */
  sendingExpired: string;
  /** PROCESSING under a live lease, its claim owned by `worker`. */
  live: string;
  worker: Awaited<ReturnType<Queue<{ n: number }>['claimBatch']>>['messages'][number];
  /** PROCESSING without lease or token, untouched for 2 hours: left by the hand-rolled code. */
  orphan: string;
  /** FAILED: a dialect timeout, and an invalid number. */
  failedTimeout: string;
  failedInvalid: string;
  /** HELD for review (at-most-once). */
  held: string;
  /** SENT 10 days ago. */
  oldSent: string;
  /** PENDING, due. */
  pending: string;
}

export async function seed(t: TestDatabase): Promise<Seeded> {
  await t.reset();
  const q = t.queue();
  const ids = (await q.enqueueMany(Array.from({ length: 9 }, (_, n) => ({ payload: { n } })))).map((r) => r.id);
  const claimed = (await q.claimBatch({ limit: 8 })).messages;
  const byN = (n: number) => claimed.find((m) => m.payload.n === n)!;
  // 0: stuck PROCESSING; 1: SENDING past its lease; 2: live; 3: orphan; 4, 5: failed; 6: held; 7: old SENT; 8: pending.
  await q.guardBeforeSend(byN(1));
  await q.fail(byN(4), new Error('dialect timeout after 30 s'), { retryable: false });
  await q.fail(byN(5), new Error('invalid number'), { retryable: false });
  await q.ack(byN(7));
  const quoted = (s: string) => (t.dialect === 'mysql' ? `\`${s}\`` : `"${s}"`);
  await t.exec(`UPDATE ${quoted('msgqueue_messages')} SET ${quoted('status')} = 'HELD', ${quoted('claim_token')} = NULL, ${quoted('lease_until')} = NULL,
    ${quoted('possibly_sent')} = ${t.dialect === 'sqlite' ? 1 : 'true'}, ${quoted('last_error')} = 'lease expired after the pre-send guard' WHERE ${quoted('id')} = '${ids[6]}'`);
  await t.exec(
    `UPDATE ${quoted('msgqueue_messages')} SET ${quoted('claim_token')} = NULL, ${quoted('lease_until')} = NULL WHERE ${quoted('id')} = '${ids[3]}'`,
  );
  await t.age(ids[0]!, 45 * MINUTE);
  await t.age(ids[1]!, 45 * MINUTE);
  await t.age(ids[3]!, 120 * MINUTE);
  await t.age(ids[7]!, 10 * 24 * 60 * MINUTE);
  return {
    stuck: ids[0]!,
    sendingExpired: ids[1]!,
    live: ids[2]!,
    worker: byN(2),
    orphan: ids[3]!,
    failedTimeout: ids[4]!,
    failedInvalid: ids[5]!,
    held: ids[6]!,
    oldSent: ids[7]!,
    pending: ids[8]!,
  };
}
