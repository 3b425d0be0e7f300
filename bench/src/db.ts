/** The bench's database: a private database on a PostgreSQL server, and that server's CPU time. */
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';

/** The server: DATABASE_URL, else the local PostgreSQL. */
export const serverUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** Create a database of the bench's own (dropped at the end), answering its URL. */
export async function privateDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `msgqueue_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A database of the bench's own on MARIADB_URL's server (else the local MariaDB), dropped at the end. */
export async function privateMysqlDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const mysql = await import('mysql2/promise');
  const server = new URL(process.env.MARIADB_URL ?? 'mariadb://root@127.0.0.1:3306/test');
  const name = `msgqueue_bench_${process.pid}`;
  const connect = () => mysql.createConnection({ uri: server.toString().replace(/^mariadb:/, 'mysql:'), connectTimeout: 3_000 });
  const admin = await connect();
  await admin.query(`DROP DATABASE IF EXISTS \`${name}\``);
  await admin.query(`CREATE DATABASE \`${name}\``);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = await connect();
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU time (ms) of every process of a database server on this machine (`postgres`, or `mariadbd` /
 * `mysqld`), by pid: the server's share of a run is the difference between two readings (backends
 * that exit in between are lost, so workers stay connected until after the second reading). Null
 * when /proc cannot be read (not Linux).
 */
export function serverCpu(names: readonly string[] = ['postgres']): Map<number, number> | null {
  try {
    const out = new Map<number, number>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      if (!names.includes(comm)) continue;
      const fields = stat.slice(close + 2).split(' ');
      out.set(Number(entry), ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND);
    }
    return out;
  } catch {
    return null;
  }
}

/** CPU milliseconds spent between two readings. */
export function cpuBetween(before: Map<number, number> | null, after: Map<number, number> | null): number | null {
  if (!before || !after) return null;
  let ms = 0;
  for (const [pid, t] of after) ms += t - (before.get(pid) ?? 0);
  return ms;
}

/** The server's version string. */
export async function serverVersion(url: string): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  await c.end();
  return rows[0]!.v;
}
