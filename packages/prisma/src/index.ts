/**
 * `@org/msgqueue-prisma`: the Prisma 7 storage adapter for `@org/msgqueue`, on PostgreSQL,
 * MySQL/MariaDB and SQLite, over the default table or your existing one.
 *
 * @packageDocumentation
 */

export { isDeadlock } from './executors/mysql.js';
export type { ColumnMapping, Field, OptionalField, Provider, RequiredField } from './mapping.js';
export { DEFAULT_COLUMNS, DEFAULT_LOCK_TABLE, DEFAULT_TABLE, OPTIONAL_FIELDS } from './mapping.js';
export type { PrismaAdapterOptions } from './prisma-adapter.js';
export { prismaAdapter } from './prisma-adapter.js';
export type { PrismaLike, PrismaRawClient } from './prisma-like.js';
export type { SchemaSqlOptions } from './schema-sql.js';
export { lockTableSql, schemaSql, splitStatements } from './schema-sql.js';
