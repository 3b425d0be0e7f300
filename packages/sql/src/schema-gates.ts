import type { SqlDialect } from './client.js';
import { DEFAULT_GATE_TABLE, identifier } from './mapping.js';

/**
 * The gates table per dialect: flow control shared by every process — one row per paused or held
 * queue (`gate_key` empty) or group key of a queue (`gate_key` the group key). Every claim reads it
 * (by primary key) once it exists; `pause`, `pauseFor` and `resume` write it, and rate limits keep their slots in it.
 */
export const GATES: Record<SqlDialect, (g: string) => string> = {
  postgresql: (g) => `
CREATE TABLE IF NOT EXISTS "${g}" (
  "queue"      varchar(191) NOT NULL,
  "gate_key"   varchar(191) NOT NULL DEFAULT '',
  "paused"     boolean      NOT NULL DEFAULT false,
  "paused_until" timestamptz(3),
  "note"       varchar(500),
  "updated_at" timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY ("queue", "gate_key")
);`,
  mysql: (g) => `
CREATE TABLE IF NOT EXISTS \`${g}\` (
  \`queue\`      VARCHAR(191) NOT NULL,
  \`gate_key\`   VARCHAR(191) NOT NULL DEFAULT '',
  \`paused\`     TINYINT(1)   NOT NULL DEFAULT 0,
  \`paused_until\` DATETIME(3)  NULL,
  \`note\`       VARCHAR(500) NULL,
  \`updated_at\` DATETIME(3)  NOT NULL,
  PRIMARY KEY (\`queue\`, \`gate_key\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;`,
  sqlite: (g) => `
CREATE TABLE IF NOT EXISTS "${g}" (
  "queue"      TEXT     NOT NULL,
  "gate_key"   TEXT     NOT NULL DEFAULT '',
  "paused"     BOOLEAN  NOT NULL DEFAULT false,
  "paused_until" DATETIME,
  "note"       TEXT,
  "updated_at" DATETIME NOT NULL,
  PRIMARY KEY ("queue", "gate_key")
);`,
};

/**
 * Only the gates table, for an existing installation (it is part of {@link schemaSql} from this
 * version on): pause, resume and hold need it, and claims honour it once it exists. Idempotent. The
 * same text ships as `@org/msgqueue-sql/sql/<dialect>.gates.sql`.
 *
 * @category Schema
 */
export function gateTableSql(dialect: SqlDialect, options: { gateTable?: string } = {}): string {
  const g = identifier(options.gateTable ?? DEFAULT_GATE_TABLE, 'options.gateTable');
  return `-- @org/msgqueue-sql: the gates table "${g}" alone (${dialect}).\n${GATES[dialect](g).trim()}\n`;
}
