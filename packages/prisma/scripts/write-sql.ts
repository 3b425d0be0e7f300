// Regenerates sql/<provider>.sql from schemaSql(); a test fails when they drift apart.
import { writeFileSync } from 'node:fs';
import { schemaSql } from '../src/schema-sql.js';

for (const provider of ['postgresql', 'mysql', 'sqlite'] as const) {
  writeFileSync(new URL(`../sql/${provider}.sql`, import.meta.url), schemaSql(provider));
}
