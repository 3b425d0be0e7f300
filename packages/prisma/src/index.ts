/**
 * `@org/msgqueue-prisma`: the Prisma 7 storage adapter for `@org/msgqueue`, on PostgreSQL,
 * MySQL/MariaDB and SQLite, over the default table or your existing one. A thin client over the
 * SQL engine of `@org/msgqueue-sql`, whose schema helpers it re-exports.
 *
 * @packageDocumentation
 */

export type { ColumnMapping, Field, OptionalField, RequiredField, SchemaSqlOptions, SqlDialect } from '@org/msgqueue-sql';
export {
  DEFAULT_COLUMNS,
  DEFAULT_LOCK_TABLE,
  DEFAULT_TABLE,
  isDeadlock,
  lockTableSql,
  OPTIONAL_FIELDS,
  schemaSql,
  splitStatements,
} from '@org/msgqueue-sql';
export type { PrismaAdapterOptions } from './prisma-adapter.js';
export { prismaAdapter } from './prisma-adapter.js';
export { prismaClient, prismaStatementNames } from './prisma-client.js';
export type { PrismaLike, PrismaRawClient } from './prisma-like.js';
