/** A database of its own on a shared server, created now and dropped by `drop`. */
import pg from 'pg';

let counter = 0;

/**
 * A new database on the server of `url` (PostgreSQL, or MariaDB/MySQL for a mysql:// or mariadb://
 * URL), named so that two runs, or two files of one run, never meet. Answers its URL.
 */
export async function privateDatabase(kind: 'postgresql' | 'mysql', url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `msgqueue_t_${process.pid}_${++counter}_${Math.floor(Math.random() * 1e6)}`;
  const run = kind === 'postgresql' ? pgAdmin(url) : mysqlAdmin(url);
  await run(kind === 'postgresql' ? `CREATE DATABASE "${name}"` : `CREATE DATABASE \`${name}\``);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => run(kind === 'postgresql' ? `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)` : `DROP DATABASE IF EXISTS \`${name}\``),
  };
}

const pgAdmin = (url: string) => async (statement: string) => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
};

const mysqlAdmin = (url: string) => async (statement: string) => {
  const mysql = await import('mysql2/promise');
  const connection = await mysql.createConnection({ uri: url.replace(/^mariadb:/, 'mysql:') });
  try {
    await connection.query(statement);
  } finally {
    await connection.end();
  }
};
