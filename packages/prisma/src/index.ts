/**
 * `@org/msgqueue-prisma`: the Prisma 7 storage adapter for `@org/msgqueue`, on PostgreSQL,
 * MySQL/MariaDB and SQLite, over the default table or your existing one.
 *
 * @packageDocumentation
 */
export { prismaAdapter } from './prisma-adapter.js';
export type { PrismaAdapterOptions } from './prisma-adapter.js';
export type { PrismaLike, PrismaRawClient } from './prisma-like.js';
export type { ColumnMapping, Provider, Field, RequiredField, OptionalField } from './mapping.js';
export { DEFAULT_COLUMNS, DEFAULT_TABLE, DEFAULT_LOCK_TABLE, OPTIONAL_FIELDS } from './mapping.js';
export { schemaSql, splitStatements } from './schema-sql.js';
export type { SchemaSqlOptions } from './schema-sql.js';
export { isDeadlock } from './executors/mysql.js';
