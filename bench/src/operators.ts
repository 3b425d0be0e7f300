/**
 * The operator table: retry, release stuck, mark sent and purge on a table of `rows` rows in one call,
 * and retention draining as many, through every client on every database it speaks. Each action's
 * rows/s, and the longest statement or transaction it held (what another writer could wait on).
 *
 * PostgreSQL: a private database on DATABASE_URL's server (else the local one). MariaDB: a private
 * database on MARIADB_URL's (else the local one), skipped when unreachable. SQLite: a temporary file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQueue, type Queue, type StorageAdapter } from '@org/msgqueue';
import { prismaClient } from '@org/msgqueue-prisma';
import { type SqlClient, type SqlDialect, schemaSql, splitStatements, sqlAdapter } from '@org/msgqueue-sql';
import { drizzleClient } from '@org/msgqueue-sql/drizzle';
import { kyselyClient } from '@org/msgqueue-sql/kysely';
import { pgClient } from '@org/msgqueue-sql/pg';
import { openClient } from '@org/msgqueue-test-support';

/** One action's figures. */
export interface OperatorRow {
  target: string;
  action: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  /** The longest write of the action (a statement that changes rows, or a transaction), in ms. */
  longestWriteMs: number;
  /** The longest read (the plan's SELECT), in ms. */
  longestReadMs: number;
}

interface Opened {
  client: SqlClient;
  /** Raw SQL for seeding (placeholders unused). */
  exec(text: string): Promise<unknown>;
  close(): Promise<void>;
}

/** A client over a database, for the bench. */
interface BenchTarget {
  name: string;
  dialect: SqlDialect;
  open(url: string): Promise<Opened>;
}

const statement = (text: string) => ({ text, values: [], strings: [text] });

async function pgPool(url: string) {
  const pg = (await import('pg')).default;
  return new pg.Pool({ connectionString: url, max: 2 });
}

async function mysqlPool(url: string, callback = false) {
  const options = { uri: url.replace(/^mariadb:/, 'mysql:'), connectionLimit: 2 };
  return callback ? (await import('mysql2')).createPool(options) : (await import('mysql2/promise')).createPool(options);
}

async function sqliteDb(url: string) {
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(url.replace(/^file:/, ''), { timeout: 20_000 });
  db.pragma('journal_mode = WAL');
  return db;
}

const TARGETS: BenchTarget[] = [
  {
    name: 'pg:postgresql',
    dialect: 'postgresql',
    async open(url) {
      const pool = await pgPool(url);
      const client = pgClient(pool);
      return { client, exec: (t) => client.execute(statement(t)), close: () => pool.end() };
    },
  },
  ...(['postgresql', 'mysql', 'sqlite'] as const).map(
    (dialect): BenchTarget => ({
      name: `kysely:${dialect}`,
      dialect,
      async open(url) {
        const k = await import('kysely');
        const db = new k.Kysely<unknown>({
          dialect:
            dialect === 'postgresql'
              ? new k.PostgresDialect({ pool: await pgPool(url) })
              : dialect === 'mysql'
                ? new k.MysqlDialect({ pool: (await mysqlPool(url, true)) as never })
                : new k.SqliteDialect({ database: await sqliteDb(url) }),
        });
        const client = kyselyClient(db as never);
        return { client, exec: (t) => client.execute(statement(t)), close: () => db.destroy() };
      },
    }),
  ),
  ...(['postgresql', 'mysql', 'sqlite'] as const).map(
    (dialect): BenchTarget => ({
      name: `drizzle:${dialect}`,
      dialect,
      async open(url) {
        if (dialect === 'postgresql') {
          const pool = await pgPool(url);
          const client = drizzleClient((await import('drizzle-orm/node-postgres')).drizzle(pool) as never, dialect);
          return { client, exec: (t) => pool.query(t), close: () => pool.end() };
        }
        if (dialect === 'mysql') {
          const pool = (await mysqlPool(url)) as import('mysql2/promise').Pool;
          const client = drizzleClient((await import('drizzle-orm/mysql2')).drizzle(pool) as never, dialect);
          return { client, exec: (t) => pool.query(t), close: () => pool.end() };
        }
        const db = await sqliteDb(url);
        const client = drizzleClient((await import('drizzle-orm/better-sqlite3')).drizzle(db) as never, dialect);
        return { client, exec: async (t) => void db.exec(t), close: async () => void db.close() };
      },
    }),
  ),
  ...(['postgresql', 'mysql', 'sqlite'] as const).map(
    (dialect): BenchTarget => ({
      name: `prisma:${dialect}`,
      dialect,
      async open(url) {
        const prisma = await openClient(dialect, url);
        return {
          client: prismaClient(prisma),
          exec: (t) => prisma.$executeRawUnsafe(t),
          close: () => prisma.$disconnect(),
        };
      },
    }),
  ),
];

/** Longest write (a statement that changes rows, or a transaction) and longest read, in ms. */
interface Longest {
  write: number;
  read: number;
}

/** The client, timing each statement and each transaction (a statement inside one counts once, with it). */
function timed(client: SqlClient, longest: Longest, inside = false): SqlClient {
  const time = async <T>(kind: keyof Longest, fn: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      if (!inside) longest[kind] = Math.max(longest[kind], performance.now() - started);
    }
  };
  const kind = (text: string): keyof Longest => (/^\s*SELECT\b/i.test(text) && !/FOR UPDATE/i.test(text) ? 'read' : 'write');
  return {
    query: (s) => time(kind(s.text), () => client.query(s)),
    execute: (s) => time(kind(s.text), () => client.execute(s)),
    transaction: (fn) => time('write', () => client.transaction((tx) => fn(timed(tx, longest, true)))),
  };
}

/** `rows` rows of one status, last changed two to three hours ago (a millisecond apart), in one statement. */
function seedSql(dialect: SqlDialect, rows: number, status: string): string {
  const claimed = status === 'PROCESSING' || status === 'SENDING';
  const cols = `id, queue, status, payload, attempts, available_at, claim_token, lease_until, last_error, created_at, updated_at`;
  if (dialect === 'postgresql') {
    return `INSERT INTO msgqueue_messages (${cols})
      SELECT md5(i::text) || '-${status}', 'default', '${status}', '{"to":"+33600000000","text":"hello"}', 1,
        now() - interval '2 hours', ${claimed ? `'token-' || i` : 'NULL'}, ${claimed ? `now() - interval '1 minute'` : 'NULL'},
        'provider said no', now() - interval '2 hours', now() - interval '3 hours' + i * interval '1 millisecond'
      FROM generate_series(1, ${rows}) AS i`;
  }
  if (dialect === 'mysql') {
    return `INSERT INTO msgqueue_messages (${cols})
      SELECT CONCAT(MD5(seq), '-${status}'), 'default', '${status}', '{"to":"+33600000000","text":"hello"}', 1,
        UTC_TIMESTAMP(3) - INTERVAL 2 HOUR, ${claimed ? `CONCAT('token-', seq)` : 'NULL'}, ${claimed ? 'UTC_TIMESTAMP(3) - INTERVAL 1 MINUTE' : 'NULL'},
        'provider said no', UTC_TIMESTAMP(3) - INTERVAL 2 HOUR, UTC_TIMESTAMP(3) - INTERVAL 3 HOUR + INTERVAL seq * 1000 MICROSECOND
      FROM seq_1_to_${rows}`;
  }
  const ago = (s: string) => `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '${s}')`;
  return `WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ${rows})
    INSERT INTO msgqueue_messages (${cols})
    SELECT printf('%08d-${status}', i), 'default', '${status}', '{"to":"+33600000000","text":"hello"}', 1,
      ${ago('-2 hours')}, ${claimed ? `'token-' || i` : 'NULL'}, ${claimed ? ago('-1 minute') : 'NULL'},
      'provider said no', ${ago('-2 hours')}, strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-3 hours', (i / 1000.0) || ' seconds')
    FROM s`;
}

interface Action {
  name: string;
  status: string;
  rows: (n: number) => number;
  /** Before the clock starts: what the action is given (mark sent: the ids). */
  prepare?: (q: Queue, n: number) => Promise<string[]>;
  run: (q: Queue, n: number, ids: string[]) => Promise<number>;
}

const ACTIONS: Action[] = [
  {
    name: 'retryMany FAILED',
    status: 'FAILED',
    rows: (n) => n,
    run: async (q, n) => (await q.retryMany({ status: 'FAILED', limit: n })).changed,
  },
  {
    name: 'releaseStuck PROCESSING',
    status: 'PROCESSING',
    rows: (n) => n,
    run: async (q, n) => (await q.releaseStuck({ olderThanMs: 0, limit: n })).changed,
  },
  {
    name: 'markSent HELD (10,000 ids a call)',
    status: 'HELD',
    rows: (n) => Math.min(n, 10_000),
    prepare: async (q, n) => (await q.retryMany({ status: 'HELD', limit: n, dryRun: true })).rows.map((r) => r.id),
    run: async (q, _n, ids) => (await q.markSent(ids)).changed,
  },
  {
    name: 'purge SENT',
    status: 'SENT',
    rows: (n) => n,
    run: async (q, n) => (await q.purge({ status: 'SENT', olderThanMs: 60_000, limit: n })).changed,
  },
  {
    name: 'retention (ticks)',
    status: 'SENT',
    rows: (n) => n,
    run: async (q) => {
      let purged = 0;
      for (;;) {
        const { purged: p } = await q.runOnce({ send: async () => {}, recycle: false });
        if (p === 0) return purged;
        purged += p;
      }
    },
  },
];

/** Open one of the targets by name (`pg:postgresql`, `prisma:postgresql`…) as a queue's adapter. */
export async function openTarget(name: string, url: string): Promise<{ adapter: StorageAdapter; close(): Promise<void> }> {
  const target = TARGETS.find((t) => t.name === name);
  if (!target) throw new Error(`no bench target ${name}`);
  const opened = await target.open(url);
  return {
    adapter: sqlAdapter(opened.client, { dialect: target.dialect, lockTable: false }, { name: name.split(':')[0]! }),
    close: opened.close,
  };
}

/** The PostgreSQL targets, one per client. */
export const POSTGRES_TARGETS = TARGETS.filter((t) => t.dialect === 'postgresql').map((t) => t.name);

/** Each target's actions on `rows` rows; `urls` per dialect (null: skip that database). */
export async function operatorTable(
  urls: Record<SqlDialect, string | null>,
  rows: number,
  only: string[] | undefined,
  log: (...a: unknown[]) => void,
): Promise<OperatorRow[]> {
  const out: OperatorRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'msgqueue-bench-'));
  try {
    for (const target of TARGETS) {
      if (only && !only.includes(target.name)) continue;
      const url = target.dialect === 'sqlite' ? `file:${join(dir, `${target.name.replace(':', '-')}.db`)}` : urls[target.dialect];
      if (url === null) continue;
      if (target.dialect === 'sqlite') (await sqliteDb(url)).close();
      const opened = await target.open(url);
      try {
        for (const s of ['msgqueue_messages', 'msgqueue_locks', 'msgqueue_gates']) await opened.exec(`DROP TABLE IF EXISTS ${s}`);
        for (const s of splitStatements(schemaSql(target.dialect))) await opened.exec(s);
        for (const action of ACTIONS) {
          const n = action.rows(rows);
          await opened.exec('DELETE FROM msgqueue_messages');
          await opened.exec(seedSql(target.dialect, rows, action.status));
          // The statistics a table has once autovacuum (or InnoDB's automatic recalculation) has seen
          // it grow; SQLite has none unless asked, and goes without. Without them PostgreSQL takes the
          // 100,000 rows for one, and sorts them all where an index would give the first 1,000.
          if (target.dialect !== 'sqlite')
            await opened.exec(target.dialect === 'mysql' ? 'ANALYZE TABLE msgqueue_messages' : 'ANALYZE msgqueue_messages');
          const longest: Longest = { write: 0, read: 0 };
          const queue = createQueue({
            adapter: sqlAdapter(timed(opened.client, longest), { dialect: target.dialect }),
            retention: { sentMs: 60 * 60_000 },
          });
          await queue.diagnose({ sampleSize: 0 }); // first use: the schema is read
          const ids = (await action.prepare?.(queue, n)) ?? [];
          Object.assign(longest, { write: 0, read: 0 });
          const started = performance.now();
          const changed = await action.run(queue, n, ids);
          const seconds = (performance.now() - started) / 1000;
          if (changed !== n) throw new Error(`${target.name} ${action.name}: changed ${changed} of ${n}`);
          const row = {
            target: target.name,
            action: action.name,
            rows: n,
            seconds,
            rowsPerSecond: n / seconds,
            longestWriteMs: longest.write,
            longestReadMs: longest.read,
          };
          out.push(row);
          log(
            `operators ${target.name.padEnd(18)} ${action.name.padEnd(34)} ${String(n).padStart(7)} rows ${seconds.toFixed(2).padStart(6)} s ${Math.round(row.rowsPerSecond).toString().padStart(7)} rows/s, longest write ${Math.round(longest.write)} ms, read ${Math.round(longest.read)} ms`,
          );
        }
      } finally {
        await opened.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
