/**
 * Database servers of a script's own — PostgreSQL and MariaDB — in a temporary directory on a free
 * port, with the server's defaults, that the script may kill -9 and start again (recovery runs, as
 * after a crash), stopped and removed after. What the soak runs on (a shared development server may
 * have autovacuum off, as this machine's has, and a queue table's life over time is mostly
 * autovacuum's doing) and what the chaos run restarts under its workers. The binaries are the
 * installed servers' (PostgreSQL: `pg_config --bindir`, else the newest /usr/lib/postgresql/N/bin;
 * MariaDB: `mariadbd` and `mariadb-install-db` on the PATH or in /usr/sbin); run as the `postgres` /
 * `mysql` user when this process is root, since the servers refuse to run as root.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateServer {
  /** A URL of the server's own database (`postgres`, or MariaDB's `test`). */
  url: string;
  /** The server's settings that matter to a queue over time, for the report. */
  settings: string;
  /** The server's (PostgreSQL: the postmaster's) pid. */
  pid(): number;
  /** kill -9 the server and every process it started, as a crash of the machine would. */
  kill9(): Promise<void>;
  /** Start it again (after a kill): recovery runs, as after a crash. */
  start(): Promise<void>;
  stop(): void;
}

/** Run a server binary, as `user` when this process is root. */
function runAs(user: string, file: string, args: string[], background = false) {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', user, '--', file, ...args]] : [file, args];
  if (background) return spawn(cmd, argv, { stdio: 'ignore', detached: true });
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  return null;
}

/** A temporary directory the server's user owns. */
function ownedDir(user: string): string {
  const dir = mkdtempSync(join(tmpdir(), `msgqueue-${user}-`));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  return dir;
}

function bindir(): string | null {
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (fromConfig.status === 0 && existsSync(join(fromConfig.stdout.trim(), 'initdb'))) return fromConfig.stdout.trim();
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

/** Whether this machine can start a private server. */
export function canStartPrivateServer(): boolean {
  return bindir() !== null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startPrivateServer(): Promise<PrivateServer> {
  const bin = bindir();
  if (!bin) throw new Error('no PostgreSQL server binaries (initdb) on this machine');
  const dir = ownedDir('postgres');
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) => runAs('postgres', join(bin, cmd), args);
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c max_connections=200`;
  const start = () => void run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  start();
  const pid = () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    settings: `PostgreSQL ${bin.split('/').at(-2)} started with its defaults (autovacuum on, autovacuum_naptime 1 min), max_connections 200`,
    pid,
    kill9: () => killTree(pid()),
    start: async () => start(),
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already down
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether this machine can start a MariaDB server of a script's own. */
export function canStartPrivateMariadb(): boolean {
  return mariadbBinary('mariadbd') !== null && mariadbBinary('mariadb-install-db') !== null;
}

function mariadbBinary(name: string): string | null {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/bin']) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** A MariaDB server of a script's own: root without a password, database `test`. */
export async function startPrivateMariadb(): Promise<PrivateServer> {
  const mariadbd = mariadbBinary('mariadbd');
  const install = mariadbBinary('mariadb-install-db');
  if (!mariadbd || !install) throw new Error('no MariaDB server binaries (mariadbd, mariadb-install-db) on this machine');
  const dir = ownedDir('mysql');
  const data = join(dir, 'data');
  runAs('mysql', install, [`--datadir=${data}`, '--auth-root-authentication-method=normal', '--skip-test-db']);
  const port = await freePort();
  const socket = join(dir, 'mysqld.sock');
  const pidFile = join(dir, 'mysqld.pid');
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${socket}`,
    `--pid-file=${pidFile}`,
    `--log-error=${join(dir, 'error.log')}`,
    '--innodb-buffer-pool-size=256M',
    '--max-connections=200',
  ];
  const start = async () => {
    rmSync(pidFile, { force: true });
    runAs('mysql', mariadbd, args, true)?.unref();
    for (let i = 0; i < 600; i++) {
      if (spawnSync('mariadb-admin', ['--no-defaults', `--socket=${socket}`, '-uroot', 'ping'], { stdio: 'ignore' }).status === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    execFileSync('mariadb', ['--no-defaults', `--socket=${socket}`, '-uroot', '-e', 'CREATE DATABASE IF NOT EXISTS test'], {
      stdio: 'ignore',
    });
  };
  await start();
  const pid = () => Number(readFileSync(pidFile, 'utf8').trim());
  return {
    url: `mariadb://root@127.0.0.1:${port}/test`,
    settings: 'MariaDB started with its defaults, innodb_buffer_pool_size 256M, max_connections 200',
    pid,
    kill9: () => killTree(pid()),
    start,
    stop() {
      try {
        process.kill(pid(), 'SIGKILL');
      } catch {
        // already down
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** kill -9 a server process and every process it started; wait until none is left. */
async function killTree(root: number): Promise<void> {
  const children = readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === root;
      } catch {
        return false;
      }
    })
    .map(Number);
  for (const pid of [root, ...children]) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone already
    }
  }
  // Until none is left: the shared memory and the data directory's lock are theirs until then.
  for (let i = 0; i < 200 && [root, ...children].some(alive); i++) await new Promise((r) => setTimeout(r, 50));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
