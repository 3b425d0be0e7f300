/** The systems the bench runs side by side, and how each fills its queue. */
import { schemaSql, splitStatements } from '@org/msgqueue-sql';
import { makeWorkerUtils } from 'graphile-worker';
import pg from 'pg';
import { PgBoss } from 'pg-boss';

export type Kind = 'table' | 'pgboss' | 'graphile' | 'client';

/** One system under test; `options` go to its worker. */
export interface System {
  key: string;
  label: string;
  kind: Kind;
  options: Record<string, number | string | boolean>;
}

/** Worker loops per process where a system takes a number of them. */
export const LOOPS = 4;

export const SYSTEMS: System[] = [
  { key: 'raw-batch-10', label: 'raw node-postgres: claim 10, one ack per batch', kind: 'table', options: { limit: 10 } },
  { key: 'raw-batch-50', label: 'raw node-postgres: claim 50, one ack per batch', kind: 'table', options: { limit: 50 } },
  {
    key: 'raw-safe-10',
    label: 'raw node-postgres, our safe steps: claim 10, guard and ack per message',
    kind: 'table',
    options: { limit: 10 },
  },
  {
    key: 'raw-safe-acks-10',
    label: 'raw node-postgres, safe steps, the acks of a batch in one statement',
    kind: 'table',
    options: { limit: 10 },
  },
  { key: 'mq-hand-10', label: 'msgqueue (pg): claimBatch 10 → guard → ack per message, by hand', kind: 'table', options: { limit: 10 } },
  { key: 'mq-tick-10', label: 'msgqueue (pg): runOnce, batch 10, concurrency 10', kind: 'table', options: { limit: 10, concurrency: 10 } },
  { key: 'mq-tick-50', label: 'msgqueue (pg): runOnce, batch 50, concurrency 50', kind: 'table', options: { limit: 50, concurrency: 50 } },
  { key: 'mq-tick-1', label: 'msgqueue (pg): runOnce, batch 10, concurrency 1', kind: 'table', options: { limit: 10, concurrency: 1 } },
  {
    key: 'mq-prisma-10',
    label: 'msgqueue (Prisma 7, adapter-pg): runOnce, batch 10, concurrency 10',
    kind: 'table',
    options: { limit: 10, concurrency: 10 },
  },
  {
    key: 'mq-prisma-named-10',
    label: 'msgqueue (Prisma 7, adapter-pg, prismaStatementNames): runOnce, batch 10, concurrency 10',
    kind: 'table',
    options: { limit: 10, concurrency: 10, prepared: 1 },
  },
  { key: 'pgboss-10', label: 'pg-boss 12: batch 10, burstWhenBatchFull', kind: 'pgboss', options: { batchSize: 10 } },
  { key: 'pgboss-50', label: 'pg-boss 12: batch 50, burstWhenBatchFull', kind: 'pgboss', options: { batchSize: 50 } },
  { key: 'graphile-10', label: 'graphile-worker 0.18: concurrency 10', kind: 'graphile', options: { concurrency: 10 } },
  {
    key: 'graphile-lq-50',
    label: 'graphile-worker 0.18: concurrency 10, localQueue 50',
    kind: 'graphile',
    options: { concurrency: 10, localQueue: 50 },
  },
];

/** Processes that only open a client and run 2,000 queries: what the client itself costs in memory. */
export const CLIENT_ONLY: System[] = [
  { key: 'client-pg', label: 'node-postgres alone, 2,000 queries', kind: 'client', options: {} },
  { key: 'client-prisma', label: 'Prisma 7 + adapter-pg alone, 2,000 queries', kind: 'client', options: {} },
];

/** Empty the system's queue and put `n` due no-op messages in it. */
export async function fill(system: System, url: string, n: number): Promise<void> {
  if (system.kind === 'table') return fillTable(url, n);
  if (system.kind === 'pgboss') return fillPgBoss(url, n);
  if (system.kind === 'graphile') return fillGraphile(url, n);
}

async function fillTable(url: string, n: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (const s of splitStatements(schemaSql('postgresql'))) await c.query(s);
  await c.query('TRUNCATE msgqueue_messages, msgqueue_locks');
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
    await utils.addJobs(Array.from({ length: Math.min(1000, n - i) }, () => ({ identifier: 'noop', payload: { n: 0 } })));
  }
  await utils.release();
}
