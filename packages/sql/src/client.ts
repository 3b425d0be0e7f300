/**
 * The seam between the SQL engine and a database client. Implement it over any client that runs a
 * parameterised statement — three methods; `@org/msgqueue-prisma`'s is under 40 lines, Kysely's
 * about 50 with its transaction checks, node-postgres's and Drizzle's more for the caller's
 * transaction (pools, better-sqlite3's synchronous transactions) — then pass it to `sqlAdapter`.
 */
import type { Statement } from './template.js';

/**
 * The SQL a client speaks.
 *
 * @category Writing a client
 */
export type SqlDialect = 'postgresql' | 'mysql' | 'sqlite';

/**
 * A result row: column name → value, as the driver returns it (numbers may come as strings or BigInt).
 *
 * @category Writing a client
 */
export type Row = Record<string, unknown>;

/**
 * A database client the engine runs statements through.
 *
 * - `query` runs a statement that returns rows (SELECT, or UPDATE … RETURNING) and answers them.
 * - `execute` runs a statement and answers how many rows it affected. The engine never relies on
 *   "matched" versus "changed" rows: every compare-and-set changes the row's status, or is
 *   confirmed by reading the row back, so MySQL clients work with or without `CLIENT_FOUND_ROWS`
 *   (mysql2 and mariadb set it by default).
 * - `transaction` runs `fn` on one connection inside BEGIN … COMMIT, rolling back when it throws,
 *   and rethrows. The engine uses it only on MySQL/MariaDB, which has no `UPDATE … RETURNING`: the claim,
 *   recycle, batched acks and each operator chunk lock, write and read back in a few-millisecond
 *   transaction there. It never makes a network call inside one.
 *
 * `statement.text` carries the dialect's placeholders (`$1` on PostgreSQL, `?` elsewhere) and
 * `statement.values` the parameters in order: strings, numbers and null only.
 *
 * @category Writing a client
 */
export interface SqlClient {
  /** The rows of a SELECT, or of an `UPDATE … RETURNING`. */
  query(statement: Statement): Promise<Row[]>;
  /** Run a statement; answers the rows it affected (matched or changed: the engine relies on neither). */
  execute(statement: Statement): Promise<number>;
  /** `fn` on one connection inside BEGIN … COMMIT, rolled back when it throws (used on MySQL/MariaDB only). */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
}
