// Regenerates sql/<dialect>.sql and sql/<dialect>.locks.sql; a test fails when they drift apart.
import { writeFileSync } from 'node:fs';
import { lockTableSql, schemaSql } from '../src/schema-sql.js';

for (const dialect of ['postgresql', 'mysql', 'sqlite'] as const) {
  writeFileSync(new URL(`../sql/${dialect}.sql`, import.meta.url), schemaSql(dialect));
  writeFileSync(new URL(`../sql/${dialect}.locks.sql`, import.meta.url), lockTableSql(dialect));
}
