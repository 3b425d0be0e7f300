/**
 * SQL that brings an existing default table up to date. Each is for tables created by an earlier
 * `schemaSql()`; mapped tables of your own are yours to change (see docs/adopting-an-existing-table.md).
 */
import type { SqlDialect } from './client.js';
import { unreachable } from './dialects/dialect.js';
import { DEFAULT_TABLE, DIALECTS, identifier } from './mapping.js';
import { MESSAGES } from './schema-sql.js';

/** The columns every version of the default table has had (the copy for SQLite's table rebuild). */
const COLUMNS = [
  'id',
  'status',
  'payload',
  'attempts',
  'priority',
  'available_at',
  'dedupe_key',
  'group_key',
  'claim_token',
  'lease_until',
  'possibly_sent',
  'last_error',
  'created_at',
  'updated_at',
];

/**
 * Named queues in one table: adds the `queue` column (existing rows belong to the queue named
 * `default`), makes dedupe keys unique per queue, and puts the queue first in the claim, lease and
 * status indexes. The same text ships as `@org/msgqueue-sql/sql/migrations/named-queues.<dialect>.sql`.
 *
 * PostgreSQL and MySQL alter the table in place; SQLite cannot drop a column's UNIQUE constraint,
 * so it copies the rows into a new table — run it inside a transaction, with the queue stopped.
 *
 * @category Schema
 */
export function namedQueuesMigrationSql(dialect: SqlDialect, options: { table?: string } = {}): string {
  if (!DIALECTS.includes(dialect)) throw new Error(`namedQueuesMigrationSql: unknown dialect ${String(dialect)}`);
  const t = identifier(options.table ?? DEFAULT_TABLE, 'options.table');
  const head = `-- @org/msgqueue-sql: named queues in one table (${dialect}), for a "${t}" made by an earlier schemaSql().`;
  switch (dialect) {
    case 'postgresql':
      return `${head}
ALTER TABLE "${t}" ADD COLUMN IF NOT EXISTS "queue" varchar(191) NOT NULL DEFAULT 'default';
ALTER TABLE "${t}" DROP CONSTRAINT IF EXISTS "${t}_dedupe_key_key";
DROP INDEX IF EXISTS "${t}_claim_idx";
DROP INDEX IF EXISTS "${t}_lease_idx";
DROP INDEX IF EXISTS "${t}_status_updated_idx";
${MESSAGES.postgresql.indexes(t).trim()}
`;
    case 'mysql': {
      const q = (c: string) => `\`${c}\``;
      return `${head}
ALTER TABLE ${q(t)}
  ADD COLUMN ${q('queue')} VARCHAR(191) NOT NULL DEFAULT 'default' AFTER ${q('id')},
  DROP INDEX ${q(`${t}_dedupe_key`)},
  ADD UNIQUE KEY ${q(`${t}_dedupe_key`)} (${q('queue')}, ${q('dedupe_key')}),
  DROP INDEX ${q(`${t}_claim_idx`)},
  ADD KEY ${q(`${t}_claim_idx`)} (${q('queue')}, ${q('status')}, ${q('priority')}, ${q('available_at')}, ${q('id')}),
  DROP INDEX ${q(`${t}_lease_idx`)},
  ADD KEY ${q(`${t}_lease_idx`)} (${q('queue')}, ${q('status')}, ${q('lease_until')}),
  DROP INDEX ${q(`${t}_status_updated_idx`)},
  ADD KEY ${q(`${t}_status_updated_idx`)} (${q('queue')}, ${q('status')}, ${q('updated_at')});
`;
    }
    case 'sqlite': {
      const cols = COLUMNS.map((c) => `"${c}"`).join(', ');
      return `${head}
${MESSAGES.sqlite.table(`${t}_named_queues`, false).trim()}
INSERT INTO "${t}_named_queues" (${cols}) SELECT ${cols} FROM "${t}";
DROP TABLE "${t}";
ALTER TABLE "${t}_named_queues" RENAME TO "${t}";
${MESSAGES.sqlite.indexes(t).trim()}
`;
    }
    default:
      return unreachable(dialect);
  }
}
