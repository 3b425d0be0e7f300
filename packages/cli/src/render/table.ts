import Table from 'cli-table3';

/** A plain table (no colours of its own: picocolors decides, by NO_COLOR and the terminal). */
export function table(head: string[], rows: (string | number)[][]): string {
  const t = new Table({ head, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map(String));
  return t.toString();
}

/** Cut a text to `width` characters, on one line. */
export const clip = (text: string | null, width: number): string => {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length <= width ? line : `${line.slice(0, width - 1)}…`;
};
