/**
 * A problem the operator must fix before anything can run — a bad flag, an unreachable database, a
 * missing table, a config that exports no queue. The CLI prints its message on one line and exits 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
