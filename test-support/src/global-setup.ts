/**
 * Before the `db` and `e2e` projects: a PostgreSQL server (DATABASE_URL's, else an embedded one
 * started here), MariaDB when MARIADB_URL is set, and the Prisma clients the tests open, generated
 * offline. Each test file then gets databases of its own on these servers (file-databases.ts).
 */
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { generateClients } from './prisma-clients.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL URL whose server the test files create their databases on. */
    postgresServer: string;
    /** A MariaDB/MySQL URL whose server the test files create their databases on, or null. */
    mariadbServer: string | null;
  }
}

/** The servers of this run: started once however many projects ask (db and e2e both do), stopped after the last. */
interface Servers {
  postgresServer: string;
  stop?: () => Promise<void>;
  users: number;
}
const shared = globalThis as { msgqueueTestServers?: Promise<Servers> };

async function start(): Promise<Servers> {
  generateClients();
  if (process.env.DATABASE_URL) return { postgresServer: process.env.DATABASE_URL, users: 0 };
  const embedded = await startEmbeddedPostgres();
  console.log('[msgqueue] DATABASE_URL not set: started an embedded PostgreSQL for the tests');
  return { postgresServer: embedded.url, stop: embedded.stop, users: 0 };
}

export default async function setup(project: TestProject) {
  shared.msgqueueTestServers ??= start();
  const servers = await shared.msgqueueTestServers;
  servers.users++;
  project.provide('postgresServer', servers.postgresServer);
  project.provide('mariadbServer', process.env.MARIADB_URL ?? null);
  return async () => {
    if (--servers.users > 0) return;
    shared.msgqueueTestServers = undefined;
    await servers.stop?.().catch((e: unknown) => console.warn('[msgqueue] could not stop the embedded PostgreSQL:', e));
  };
}
