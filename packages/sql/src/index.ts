/**
 * `@org/msgqueue-sql`: the SQL engine behind every SQL adapter of `@org/msgqueue` — claim, fenced
 * transitions, recycle, insert, snapshot and run lock, one file per operation with its SQL per
 * dialect (PostgreSQL and SQLite: one statement per step; MySQL/MariaDB, without `RETURNING`: a
 * write then a read back), over your own table or ours — and the {@link SqlClient} seam
 * a database client implements to use it.
 *
 * Clients shipped as entry points, each an optional peer dependency:
 * `@org/msgqueue-sql/pg` (node-postgres), `@org/msgqueue-sql/kysely`, `@org/msgqueue-sql/drizzle`;
 * Prisma has its own package, `@org/msgqueue-prisma`.
 *
 * @packageDocumentation
 */
export type { Row, SqlClient, SqlDialect } from './client.js';
export type { ColumnMapping, Field, OptionalField, RequiredField } from './mapping.js';
export { DEFAULT_COLUMNS, DEFAULT_GATE_TABLE, DEFAULT_LOCK_TABLE, DEFAULT_TABLE, DIALECTS, OPTIONAL_FIELDS } from './mapping.js';
export { namedQueuesMigrationSql } from './migrations.js';
export { isDeadlock, isSerializationFailure } from './operations/db.js';
export { ESTIMATE_SENT_ABOVE } from './operations/snapshot.js';
export { gateTableSql } from './schema-gates.js';
export type { SchemaSqlOptions } from './schema-sql.js';
export { lockTableSql, schemaSql, splitStatements } from './schema-sql.js';
export type { SqlAdapterOptions, SqlClientInfo } from './sql-adapter.js';
export { SQL_ADAPTER_OPTIONS, sqlAdapter } from './sql-adapter.js';
export type { Statement } from './template.js';
export { statementName } from './template.js';
