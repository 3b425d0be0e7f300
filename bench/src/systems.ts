/** The systems the bench runs side by side: what each is, on which database, and what it is compared with. */

export type Kind = 'table' | 'pgboss' | 'graphile' | 'client' | 'pgbench' | 'mysql' | 'sqlite';
export type Database = 'postgresql' | 'mysql' | 'sqlite';

/** One system under test; `options` go to its worker. */
export interface System {
  key: string;
  label: string;
  kind: Kind;
  database: Database;
  /** The system its ratio is taken against (raw SQL doing the same on the same database). */
  baseline?: string;
  /** Its configuration, as the report prints it. */
  settings: string;
  options: Record<string, number | string | boolean>;
}

/** Worker loops (or connections) per process where a system takes a number of them. */
export const LOOPS = 4;

const RAW_PG = `node-postgres pool of ${LOOPS}, ${LOOPS} loops, prepared statements`;
const MQ_PG = `node-postgres pool of ${LOOPS}, ${LOOPS} loops of runOnce (overlap: 'allow', recycle: false)`;

export const SYSTEMS: System[] = [
  {
    key: 'pgbench-10',
    label: "PostgreSQL's limit: pgbench running the raw claim 10 + ack",
    kind: 'pgbench',
    database: 'postgresql',
    settings: `pgbench -M prepared -c ${LOOPS} -j 2, the raw claim + ack statements, no client work`,
    options: { limit: 10 },
  },
  {
    key: 'pgbench-50',
    label: "PostgreSQL's limit: pgbench running the raw claim 50 + ack",
    kind: 'pgbench',
    database: 'postgresql',
    settings: `pgbench -M prepared -c ${LOOPS} -j 2, the raw claim + ack statements, no client work`,
    options: { limit: 50 },
  },
  {
    key: 'raw-batch-10',
    label: 'raw node-postgres: claim 10, one ack per batch',
    kind: 'table',
    database: 'postgresql',
    baseline: 'pgbench-10',
    settings: RAW_PG,
    options: { limit: 10 },
  },
  {
    key: 'raw-batch-50',
    label: 'raw node-postgres: claim 50, one ack per batch',
    kind: 'table',
    database: 'postgresql',
    baseline: 'pgbench-50',
    settings: RAW_PG,
    options: { limit: 50 },
  },
  {
    key: 'raw-safe-10',
    label: 'raw node-postgres, our safe steps: claim 10, guard and ack per message',
    kind: 'table',
    database: 'postgresql',
    settings: RAW_PG,
    options: { limit: 10 },
  },
  {
    key: 'mq-hand-10',
    label: 'msgqueue (pg): claimBatch 10 → guardBeforeSend → ack per message, by hand',
    kind: 'table',
    database: 'postgresql',
    baseline: 'raw-safe-10',
    settings: `node-postgres pool of ${LOOPS}, ${LOOPS} loops`,
    options: { limit: 10 },
  },
  {
    key: 'mq-tick-10',
    label: 'msgqueue (pg): runOnce, batch 10, concurrency 10',
    kind: 'table',
    database: 'postgresql',
    baseline: 'raw-batch-10',
    settings: MQ_PG,
    options: { limit: 10, concurrency: 10 },
  },
  {
    key: 'mq-tick-50',
    label: 'msgqueue (pg): runOnce, batch 50, concurrency 50',
    kind: 'table',
    database: 'postgresql',
    baseline: 'raw-batch-50',
    settings: MQ_PG,
    options: { limit: 50, concurrency: 50 },
  },
  {
    key: 'mq-tick-1',
    label: 'msgqueue (pg): runOnce, batch 10, concurrency 1',
    kind: 'table',
    database: 'postgresql',
    baseline: 'raw-batch-10',
    settings: MQ_PG,
    options: { limit: 10, concurrency: 1 },
  },
  {
    key: 'mq-prisma-10',
    label: 'msgqueue (Prisma 7, adapter-pg): runOnce, batch 10, concurrency 10',
    kind: 'table',
    database: 'postgresql',
    baseline: 'raw-batch-10',
    settings: `PrismaPg pool of ${LOOPS}, ${LOOPS} loops of runOnce`,
    options: { limit: 10, concurrency: 10 },
  },
  {
    key: 'mq-prisma-named-10',
    label: 'msgqueue (Prisma 7, adapter-pg, prismaStatementNames): runOnce, batch 10, concurrency 10',
    kind: 'table',
    database: 'postgresql',
    baseline: 'raw-batch-10',
    settings: `PrismaPg pool of ${LOOPS} with statementNameGenerator: prismaStatementNames, ${LOOPS} loops of runOnce`,
    options: { limit: 10, concurrency: 10, prepared: 1 },
  },
  {
    key: 'pgboss-10',
    label: 'pg-boss 12: batch 10',
    kind: 'pgboss',
    database: 'postgresql',
    baseline: 'raw-batch-10',
    settings: `work({ batchSize: 10, burstWhenBatchFull: true, localConcurrency: ${LOOPS}, pollingIntervalSeconds: 0.5 }), pool of ${LOOPS + 2}, started before the clock`,
    options: { batchSize: 10 },
  },
  {
    key: 'pgboss-50',
    label: 'pg-boss 12: batch 50',
    kind: 'pgboss',
    database: 'postgresql',
    baseline: 'raw-batch-50',
    settings: `work({ batchSize: 50, burstWhenBatchFull: true, localConcurrency: ${LOOPS}, pollingIntervalSeconds: 0.5 }), pool of ${LOOPS + 2}, started before the clock`,
    options: { batchSize: 50 },
  },
  {
    key: 'graphile-10',
    label: 'graphile-worker 0.18: concurrency 10, batched completions',
    kind: 'graphile',
    database: 'postgresql',
    baseline: 'raw-batch-10',
    settings:
      'concurrency 10, completeJobBatchDelay 0, runner started and polling before the clock (jobs held by a forbidden flag lifted at the start)',
    options: { concurrency: 10 },
  },
  {
    key: 'graphile-lq-50',
    label: 'graphile-worker 0.18: concurrency 10, local queue of 50, batched completions',
    kind: 'graphile',
    database: 'postgresql',
    baseline: 'raw-batch-50',
    settings:
      'concurrency 10, localQueue { size: 50 }, completeJobBatchDelay 0, runner started and polling before the clock (jobs held by a forbidden flag lifted at the start)',
    options: { concurrency: 10, localQueue: 50 },
  },
  {
    key: 'raw-mysql-10',
    label: 'raw mysql2 on MariaDB: claim 10 (lock, update, read back), one ack per batch',
    kind: 'mysql',
    database: 'mysql',
    settings: `mysql2 pool of ${LOOPS}, ${LOOPS} loops`,
    options: { limit: 10 },
  },
  {
    key: 'mq-mysql-10',
    label: 'msgqueue (Kysely on mysql2, MariaDB): runOnce, batch 10, concurrency 10',
    kind: 'mysql',
    database: 'mysql',
    baseline: 'raw-mysql-10',
    settings: `Kysely MysqlDialect over a mysql2 pool of ${LOOPS}, ${LOOPS} loops of runOnce`,
    options: { limit: 10, concurrency: 10 },
  },
  {
    key: 'raw-sqlite-10',
    label: 'raw better-sqlite3: claim 10 (UPDATE … RETURNING), one ack per batch',
    kind: 'sqlite',
    database: 'sqlite',
    settings: 'better-sqlite3, WAL, one connection, one loop',
    options: { limit: 10 },
  },
  {
    key: 'mq-sqlite-10',
    label: 'msgqueue (Kysely on better-sqlite3): runOnce, batch 10, concurrency 10',
    kind: 'sqlite',
    database: 'sqlite',
    baseline: 'raw-sqlite-10',
    settings: 'Kysely SqliteDialect over better-sqlite3, WAL, one connection, one loop of runOnce',
    options: { limit: 10, concurrency: 10 },
  },
];

/** Processes that only open a client and run 2,000 queries: what the client itself costs in memory. */
export const CLIENT_ONLY: System[] = [
  {
    key: 'client-pg',
    label: 'node-postgres alone, 2,000 queries',
    kind: 'client',
    database: 'postgresql',
    settings: '',
    options: {},
  },
  {
    key: 'client-prisma',
    label: 'Prisma 7 + adapter-pg alone, 2,000 queries',
    kind: 'client',
    database: 'postgresql',
    settings: '',
    options: {},
  },
];
