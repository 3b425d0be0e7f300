/** SQL for test setup that differs per database: quoting, now, moving a time column back. */

/** The databases the tests run on. */
export type Dialect = 'postgresql' | 'mysql' | 'sqlite';

/** A quoted identifier. */
export const quote = (dialect: Dialect, name: string): string => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);

/** SQL that moves a time column back by `ms` (the queue then sees `ms` more elapsed). */
export function backdate(dialect: Dialect, column: string, ms: number): string {
  const c = quote(dialect, column);
  if (dialect === 'postgresql') return `${c} = ${c} - (${ms} * INTERVAL '1 millisecond')`;
  if (dialect === 'mysql') return `${c} = TIMESTAMPADD(MICROSECOND, ${-ms * 1000}, ${c})`;
  return `${c} = strftime('%Y-%m-%dT%H:%M:%f+00:00', ${c}, '${-ms / 1000} seconds')`;
}

/** The database's now, in the default table's time format. */
export function nowSql(dialect: Dialect): string {
  if (dialect === 'postgresql') return 'now()';
  if (dialect === 'mysql') return 'UTC_TIMESTAMP(3)';
  return `strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now')`;
}
