/** The database a script (benchmark, chaos run) works on, chosen by a --db flag, with fresh default tables. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type PrivateServer,
  privateDatabase,
  startEmbeddedPostgres,
  startPrivateMariadb,
  startPrivateServer,
} from '@org/msgqueue-test-support';
import { type PrismaRawClient, type SqlDialect, schemaSql, splitStatements } from '../../src/index.js';

/** A database to work on, and how to let go of it. */
export interface Target {
  dialect: SqlDialect;
  url: string;
  cleanup: () => Promise<void>;
  /** With `own: true`: the server the run started, which it may kill -9 and start again. */
  server?: PrivateServer;
}

/**
 * `postgresql`: a database of its own on DATABASE_URL's server, or an embedded PostgreSQL;
 * `mariadb`: a database of its own on MARIADB_URL's server (default the local one); `sqlite`: a
 * file in a temporary folder. Never the given database itself: runs must not clear each other.
 */
export async function openTarget(db: string, { own = false }: { own?: boolean } = {}): Promise<Target> {
  if (own) {
    // A server of the run's own (it may be killed), with its defaults.
    if (db !== 'postgresql' && db !== 'mariadb') throw new Error(`a server of its own: postgresql or mariadb, not ${db}`);
    const server = db === 'postgresql' ? await startPrivateServer() : await startPrivateMariadb();
    return { dialect: db === 'postgresql' ? 'postgresql' : 'mysql', url: server.url, cleanup: async () => server.stop(), server };
  }
  if (db === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'msgqueue-target-'));
    return { dialect: 'sqlite', url: `file:${join(dir, 'queue.db')}`, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (db === 'mariadb') {
    const own = await privateDatabase('mysql', process.env.MARIADB_URL ?? 'mariadb://root@127.0.0.1:3306/test');
    return { dialect: 'mysql', url: own.url, cleanup: own.drop };
  }
  if (db !== 'postgresql') throw new Error(`--db: expected postgresql, mariadb or sqlite, got ${db}`);
  if (process.env.DATABASE_URL) {
    const own = await privateDatabase('postgresql', process.env.DATABASE_URL);
    return { dialect: 'postgresql', url: own.url, cleanup: own.drop };
  }
  const pg = await startEmbeddedPostgres();
  return { dialect: 'postgresql', url: pg.url, cleanup: pg.stop };
}

/** Quote a name for the dialect. */
export const quoteName = (dialect: SqlDialect, name: string) => (dialect === 'mysql' ? `\`${name}\`` : `"${name}"`);

/** Drop the default tables and apply the SQL this package ships (servers outlive runs). */
export async function freshDefaultTables(client: PrismaRawClient, dialect: SqlDialect): Promise<void> {
  for (const t of ['msgqueue_messages', 'msgqueue_locks', 'msgqueue_gates'])
    await client.$executeRawUnsafe(`DROP TABLE IF EXISTS ${quoteName(dialect, t)}`);
  for (const statement of splitStatements(schemaSql(dialect))) await client.$executeRawUnsafe(statement);
  if (dialect === 'sqlite') await client.$queryRawUnsafe('PRAGMA journal_mode = WAL');
}
