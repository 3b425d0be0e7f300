import { schemaSql } from '@org/msgqueue-sql';
import { UsageError } from '../errors.js';
import type { Io } from './shared.js';

/** Print the schema for a database (tables and the claim's partial indexes), to apply with your migration tool. */
export function sqlCommand(provider: string, flags: { table?: string }, io: Io): number {
  if (provider !== 'postgresql' && provider !== 'mysql' && provider !== 'sqlite') {
    throw new UsageError(`sql: expected postgresql, mysql or sqlite, got "${provider}"`);
  }
  try {
    io.out(schemaSql(provider, flags.table === undefined ? {} : { table: flags.table }).trimEnd());
  } catch (error) {
    throw new UsageError(`--table: ${(error as Error).message.split('\n')[0]}`);
  }
  return 0;
}
