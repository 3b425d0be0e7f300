/**
 * An embedded PostgreSQL for machines without DATABASE_URL, started in a child process
 * (see embedded-postgres-server.ts for why it must never load in this one).
 */
import { spawnTs } from './processes.js';

/** Start an embedded PostgreSQL; `stop` shuts it down and removes its files. */
export async function startEmbeddedPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  // From src/ or from a bundle in .build/ (the same depth): the server's source.
  const child = spawnTs(new URL('../src/embedded-postgres-server.ts', import.meta.url), [], { stdin: 'pipe' });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`embedded PostgreSQL exited (${code}) before it was ready: ${stderr}`)));
  });
  return {
    url,
    stop: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}
