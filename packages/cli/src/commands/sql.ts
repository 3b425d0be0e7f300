import { DIALECTS, gateTableSql, type SqlDialect, schemaSql } from '@org/msgqueue-sql';
import { UsageError } from '../errors.js';
import type { Io } from './shared.js';

/** Print the schema for a database (tables and the claim's partial indexes), to apply with your migration tool. */
export function sqlCommand(dialect: string, flags: { table?: string; gates?: boolean }, io: Io): number {
  if (!DIALECTS.includes(dialect as SqlDialect)) {
    throw new UsageError(`sql: expected ${DIALECTS.join(', ')}, got "${dialect}"`);
  }
  if (flags.gates) {
    io.out(gateTableSql(dialect as SqlDialect).trimEnd());
    return 0;
  }
  try {
    io.out(schemaSql(dialect as SqlDialect, flags.table === undefined ? {} : { table: flags.table }).trimEnd());
  } catch (error) {
    throw new UsageError(`--table: ${(error as Error).message.split('\n')[0]}`);
  }
  return 0;
}
