/**
 * `@org/msgqueue-test-support`: what the tests of every package (and the bench, the chaos run)
 * share — the current test file's databases, private databases on a server, SQL for test setup that
 * differs per database, the Prisma clients the tests open, child processes, latches, building the
 * workspace packages an installed app would run. It imports none of msgqueue's packages: no test of a
 * lower package reaches into a higher one through it.
 */
export { type FileDatabases, hasMariadb, mariadbUrl, postgresUrl, sqliteFile } from './databases.js';
export { startEmbeddedPostgres } from './embedded-postgres.js';
export { latch } from './latch.js';
export { openClient } from './open-client.js';
export { generateClients } from './prisma-clients.js';
export { privateDatabase } from './private-database.js';
export {
  canStartPrivateMariadb,
  canStartPrivateServer,
  type PrivateServer,
  startPrivateMariadb,
  startPrivateServer,
} from './private-server.js';
export { runTs, type SpawnOptions, spawnTs } from './processes.js';
export { backdate, type Dialect, nowSql, quote } from './sql.js';
export { mostWithin } from './windows.js';
export { buildWorkspacePackages } from './workspace-build.js';
