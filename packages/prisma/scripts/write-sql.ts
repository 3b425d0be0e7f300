// Regenerates sql/<provider>.sql and sql/<provider>.locks.sql; a test fails when they drift apart.
import { writeFileSync } from 'node:fs';
import { lockTableSql, schemaSql } from '../src/schema-sql.js';

for (const provider of ['postgresql', 'mysql', 'sqlite'] as const) {
  writeFileSync(new URL(`../sql/${provider}.sql`, import.meta.url), schemaSql(provider));
  writeFileSync(new URL(`../sql/${provider}.locks.sql`, import.meta.url), lockTableSql(provider));
}
