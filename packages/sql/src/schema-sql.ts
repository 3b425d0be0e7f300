import { MsgQueueError } from '@org/msgqueue';
import type { SqlDialect } from './client.js';
import { DEFAULT_GATE_TABLE, DEFAULT_LOCK_TABLE, DEFAULT_TABLE, DIALECTS, identifier } from './mapping.js';
import { GATES } from './schema-gates.js';

/**
 * Options of {@link schemaSql}.
 *
 * @category Schema
 */
export interface SchemaSqlOptions {
  /** Messages table name. Default `msgqueue_messages`. */
  table?: string;
  /** Lock table name. Default `msgqueue_locks`. */
  lockTable?: string;
  /** Gates table name. Default `msgqueue_gates`. */
  gateTable?: string;
}

/**
 * The SQL that creates the default tables and the indexes the queue's statements need, for one
 * database. The same text ships as `@org/msgqueue-sql/sql/<dialect>.sql`. Idempotent
 * (`IF NOT EXISTS`), so it can run at every test start.
 *
 * @category Schema
 */
export function schemaSql(dialect: SqlDialect, options: SchemaSqlOptions = {}): string {
  checkDialect(dialect);
  const t = identifier(options.table ?? DEFAULT_TABLE, 'options.table');
  const l = identifier(options.lockTable ?? DEFAULT_LOCK_TABLE, 'options.lockTable');
  const g = identifier(options.gateTable ?? DEFAULT_GATE_TABLE, 'options.gateTable');
  return `${schemaOf(dialect, t, l, g)}\n`;
}

/**
 * Only the run-lock table, for a queue over your own messages table that wants `runOnce`'s
 * cross-instance overlap guard (the `lockTable` option). Idempotent. The same text ships as
 * `@org/msgqueue-sql/sql/<dialect>.locks.sql`.
 *
 * @category Schema
 */
export function lockTableSql(dialect: SqlDialect, options: Pick<SchemaSqlOptions, 'lockTable'> = {}): string {
  checkDialect(dialect);
  const l = identifier(options.lockTable ?? DEFAULT_LOCK_TABLE, 'options.lockTable');
  return `-- @org/msgqueue-sql: the run-lock table "${l}" alone (${dialect}).\n${LOCKS[dialect](l).trim()}\n`;
}

function checkDialect(dialect: SqlDialect): void {
  if (!DIALECTS.includes(dialect)) {
    throw new MsgQueueError('INVALID_MAPPING', `schemaSql: expected one of ${DIALECTS.join(', ')}, got ${JSON.stringify(dialect)}.`, {
      field: 'dialect',
    });
  }
}

/** The run-lock table per dialect: one row per lock name, taken until `expires_at`. */
const LOCKS: Record<SqlDialect, (l: string) => string> = {
  postgresql: (l) => `
CREATE TABLE IF NOT EXISTS "${l}" (
  "name"       varchar(191) PRIMARY KEY,
  "owner"      varchar(64)  NOT NULL,
  "expires_at" timestamptz(3) NOT NULL
);`,
  mysql: (l) => `
CREATE TABLE IF NOT EXISTS \`${l}\` (
  \`name\`       VARCHAR(191) NOT NULL,
  \`owner\`      VARCHAR(64)  NOT NULL,
  \`expires_at\` DATETIME(3)  NOT NULL,
  PRIMARY KEY (\`name\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;`,
  sqlite: (l) => `
CREATE TABLE IF NOT EXISTS "${l}" (
  "name"       TEXT     NOT NULL PRIMARY KEY,
  "owner"      TEXT     NOT NULL,
  "expires_at" DATETIME NOT NULL
);`,
};

/**
 * The messages table and its indexes, per dialect (for the schema and for migrations).
 * `ifNotExists` makes the table statement idempotent; migrations create a fresh one without it.
 *
 * @category Schema
 */
export const MESSAGES: Record<SqlDialect, { table(t: string, ifNotExists?: boolean): string; indexes(t: string): string }> = {
  postgresql: {
    table: (t, ine = true) => `
CREATE TABLE ${ine ? 'IF NOT EXISTS ' : ''}"${t}" (
  "id"            varchar(191) PRIMARY KEY,
  "queue"         varchar(191) NOT NULL DEFAULT 'default',
  "status"        varchar(32)  NOT NULL DEFAULT 'PENDING',
  "payload"       jsonb        NOT NULL,
  "attempts"      integer      NOT NULL DEFAULT 0,
  "priority"      integer      NOT NULL DEFAULT 0,
  "available_at"  timestamptz(3) NOT NULL DEFAULT now(),
  "dedupe_key"    varchar(191),
  "group_key"     varchar(191),
  "claim_token"   varchar(64),
  "lease_until"   timestamptz(3),
  "possibly_sent" boolean      NOT NULL DEFAULT false,
  "last_error"    text,
  "created_at"    timestamptz(3) NOT NULL DEFAULT now(),
  "updated_at"    timestamptz(3) NOT NULL DEFAULT now()
);`,
    indexes: (t) => `
-- Dedupe keys are per queue.
CREATE UNIQUE INDEX IF NOT EXISTS "${t}_dedupe_idx" ON "${t}" ("queue", "dedupe_key");
-- The claim reads one queue's due PENDING rows in claim order: a partial index holds only those,
-- so the claim stays O(batch) however many SENT rows the table keeps.
CREATE INDEX IF NOT EXISTS "${t}_claim_idx" ON "${t}" ("queue", "priority", "available_at", "id") WHERE "status" = 'PENDING';
-- The recycler and diagnose read in-flight rows by lease end.
CREATE INDEX IF NOT EXISTS "${t}_lease_idx" ON "${t}" ("queue", "lease_until") WHERE "status" IN ('PROCESSING', 'SENDING');
-- diagnose counts recent failures.
CREATE INDEX IF NOT EXISTS "${t}_status_updated_idx" ON "${t}" ("queue", "status", "updated_at");
-- Ordered groups: the claim probes a group's earlier rows in enqueue order.
CREATE INDEX IF NOT EXISTS "${t}_group_idx" ON "${t}" ("group_key", "created_at", "id") WHERE "group_key" IS NOT NULL;`,
  },
  mysql: {
    table: (t, ine = true) => `
-- utf8mb4_bin: ids and dedupe keys compare exactly ('A' and 'a' are different keys).
CREATE TABLE ${ine ? 'IF NOT EXISTS ' : ''}\`${t}\` (
  \`id\`            VARCHAR(191) NOT NULL,
  \`queue\`         VARCHAR(191) NOT NULL DEFAULT 'default',
  \`status\`        VARCHAR(32)  NOT NULL DEFAULT 'PENDING',
  \`payload\`       JSON         NOT NULL,
  \`attempts\`      INT          NOT NULL DEFAULT 0,
  \`priority\`      INT          NOT NULL DEFAULT 0,
  \`available_at\`  DATETIME(3)  NOT NULL,
  \`dedupe_key\`    VARCHAR(191) NULL,
  \`group_key\`     VARCHAR(191) NULL,
  \`claim_token\`   VARCHAR(64)  NULL,
  \`lease_until\`   DATETIME(3)  NULL,
  \`possibly_sent\` TINYINT(1)   NOT NULL DEFAULT 0,
  \`last_error\`    TEXT         NULL,
  \`created_at\`    DATETIME(3)  NOT NULL,
  \`updated_at\`    DATETIME(3)  NOT NULL,
  PRIMARY KEY (\`id\`),
  -- Dedupe keys are per queue.
  UNIQUE KEY \`${t}_dedupe_key\` (\`queue\`, \`dedupe_key\`),
  -- InnoDB locks every row it scans: without this index a SKIP LOCKED claim scans, and locks, the table.
  KEY \`${t}_claim_idx\` (\`queue\`, \`status\`, \`priority\`, \`available_at\`, \`id\`),
  KEY \`${t}_lease_idx\` (\`queue\`, \`status\`, \`lease_until\`),
  KEY \`${t}_status_updated_idx\` (\`queue\`, \`status\`, \`updated_at\`),
  KEY \`${t}_group_idx\` (\`group_key\`, \`created_at\`, \`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;`,
    // MySQL declares its indexes inside CREATE TABLE.
    indexes: () => '',
  },
  sqlite: {
    table: (t, ine = true) => `
CREATE TABLE ${ine ? 'IF NOT EXISTS ' : ''}"${t}" (
  "id"            TEXT     NOT NULL PRIMARY KEY,
  "queue"         TEXT     NOT NULL DEFAULT 'default',
  "status"        TEXT     NOT NULL DEFAULT 'PENDING',
  "payload"       TEXT     NOT NULL,
  "attempts"      INTEGER  NOT NULL DEFAULT 0,
  "priority"      INTEGER  NOT NULL DEFAULT 0,
  "available_at"  DATETIME NOT NULL,
  "dedupe_key"    TEXT,
  "group_key"     TEXT,
  "claim_token"   TEXT,
  "lease_until"   DATETIME,
  "possibly_sent" BOOLEAN  NOT NULL DEFAULT false,
  "last_error"    TEXT,
  "created_at"    DATETIME NOT NULL,
  "updated_at"    DATETIME NOT NULL
);`,
    indexes: (t) => `
-- Dedupe keys are per queue.
CREATE UNIQUE INDEX IF NOT EXISTS "${t}_dedupe_idx" ON "${t}" ("queue", "dedupe_key");
CREATE INDEX IF NOT EXISTS "${t}_claim_idx" ON "${t}" ("queue", "priority", "available_at", "id") WHERE "status" = 'PENDING';
CREATE INDEX IF NOT EXISTS "${t}_lease_idx" ON "${t}" ("queue", "status", "lease_until");
CREATE INDEX IF NOT EXISTS "${t}_status_updated_idx" ON "${t}" ("queue", "status", "updated_at");
CREATE INDEX IF NOT EXISTS "${t}_group_idx" ON "${t}" ("group_key", "created_at", "id") WHERE "group_key" IS NOT NULL;`,
  },
};

const HEADERS: Record<SqlDialect, (t: string, l: string, g: string) => string> = {
  postgresql: (t, l, g) => `-- @org/msgqueue-sql: PostgreSQL schema (tables "${t}", "${l}" and "${g}").`,
  mysql: (t, l, g) => `-- @org/msgqueue-sql: MySQL 8 / MariaDB 10.6+ schema (tables \`${t}\`, \`${l}\` and \`${g}\`).`,
  sqlite: (t, l, g) =>
    `-- @org/msgqueue-sql: SQLite schema (tables "${t}", "${l}" and "${g}"). Times are text in Prisma's\n-- format. Run the database in WAL mode with a busy timeout (see the package README).`,
};

function schemaOf(dialect: SqlDialect, t: string, l: string, g: string): string {
  const m = MESSAGES[dialect];
  return [HEADERS[dialect](t, l, g), m.table(t).trim(), m.indexes(t).trim(), LOCKS[dialect](l).trim(), GATES[dialect](g).trim()]
    .filter(Boolean)
    .join('\n');
}

/**
 * Split shipped SQL into statements (for drivers that run one statement per call).
 *
 * @category Schema
 */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trim().startsWith('--'))
    .join('\n')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}
