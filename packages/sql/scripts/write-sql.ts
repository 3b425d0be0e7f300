// Regenerates sql/<dialect>.sql, sql/<dialect>.locks.sql, sql/<dialect>.gates.sql and sql/migrations/*.sql; a test fails when they drift apart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { namedQueuesMigrationSql } from '../src/migrations.js';
import { gateTableSql } from '../src/schema-gates.js';
import { lockTableSql, schemaSql } from '../src/schema-sql.js';

mkdirSync(new URL('../sql/migrations/', import.meta.url), { recursive: true });
for (const dialect of ['postgresql', 'mysql', 'sqlite'] as const) {
  writeFileSync(new URL(`../sql/${dialect}.sql`, import.meta.url), schemaSql(dialect));
  writeFileSync(new URL(`../sql/${dialect}.locks.sql`, import.meta.url), lockTableSql(dialect));
  writeFileSync(new URL(`../sql/${dialect}.gates.sql`, import.meta.url), gateTableSql(dialect));
  writeFileSync(new URL(`../sql/migrations/named-queues.${dialect}.sql`, import.meta.url), namedQueuesMigrationSql(dialect));
}
