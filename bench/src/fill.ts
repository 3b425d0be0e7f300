/** Empty a system's queue and put `n` due no-op messages in it, before its worker starts. */
import { createQueue } from '@org/msgqueue';
import { schemaSql, splitStatements } from '@org/msgqueue-sql';
import { makeWorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { openMysql, openSqlite } from './other-databases.js';
import type { Database, System } from './systems.js';

/** Where each database of a run lives: PostgreSQL and MariaDB URLs, the SQLite file. */
export type Urls = Record<Database, string | null>;

/** The flag graphile-worker's jobs carry until the clock starts (its runner forbids it until then). */
export const GRAPHILE_HOLD = 'bench-hold';

export async function fill(system: System, urls: Urls, n: number): Promise<void> {
  const url = urls[system.database];
  if (url === null) throw new Error(`no ${system.database} database for ${system.key}`);
  switch (system.kind) {
    case 'table':
    case 'pgbench':
      return fillTable(url, n);
    case 'pgboss':
      return fillPgBoss(url, n);
    case 'graphile':
      return fillGraphile(url, n);
    case 'mysql':
    case 'sqlite':
      return fillThroughQueue(system, url, n);
    case 'client':
      return;
  }
}

async function fillTable(url: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (const s of splitStatements(schemaSql('postgresql'))) await c.query(s);
  await c.query('TRUNCATE msgqueue_messages, msgqueue_locks, msgqueue_gates');
  // Time-ordered ids, as the queue's own UUIDv7 are.
  await c.query(
    `INSERT INTO msgqueue_messages (id, queue, status, payload, available_at, created_at, updated_at)
     SELECT lpad(to_hex(i), 12, '0') || '-' || md5(i::text), 'default', 'PENDING', '{"n":0}', now(), now(), now()
     FROM generate_series(1, $1) AS i`,
    [n],
  );
  await c.query('VACUUM ANALYZE msgqueue_messages');
  await c.end();
}

/** MariaDB and SQLite: the schema, emptied, then the messages enqueued by the library itself. */
async function fillThroughQueue(system: System, url: string, n: number): Promise<void> {
  const db = system.database === 'mysql' ? await openMysql(url, 1) : await openSqlite(url);
  try {
    for (const s of splitStatements(schemaSql(system.database === 'mysql' ? 'mysql' : 'sqlite'))) await db.exec(s);
    await db.exec('DELETE FROM msgqueue_messages');
    const queue = createQueue({ adapter: db.adapter });
    for (let i = 0; i < n; i += 1000) {
      await queue.enqueueMany(Array.from({ length: Math.min(1000, n - i) }, () => ({ payload: { n: 0 } })));
    }
    await db.exec(system.database === 'mysql' ? 'ANALYZE TABLE msgqueue_messages' : 'ANALYZE');
  } finally {
    await db.close();
  }
}

async function fillPgBoss(url: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('DROP SCHEMA IF EXISTS pgboss CASCADE');
  await c.end();
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue('bench');
  for (let i = 0; i < n; i += 1000) {
    await boss.insert(
      'bench',
      Array.from({ length: Math.min(1000, n - i) }, () => ({ data: { n: 0 } })),
    );
  }
  await boss.stop({ graceful: false });
}

async function fillGraphile(url: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query('DROP SCHEMA IF EXISTS graphile_worker CASCADE');
  await c.end();
  const utils = await makeWorkerUtils({ connectionString: url });
  await utils.migrate();
  for (let i = 0; i < n; i += 1000) {
    await utils.addJobs(
      Array.from({ length: Math.min(1000, n - i) }, () => ({ identifier: 'noop', payload: { n: 0 }, flags: [GRAPHILE_HOLD] })),
    );
  }
  await utils.release();
}
