/** Run a TypeScript file of this package in its own Node process, as the tests' workers do. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const pkg = fileURLToPath(new URL('../..', import.meta.url));

/** Start `file` (relative to the package) under tsx, resolving workspace packages to their sources. */
export function spawnTs(
  file: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore'; stdout?: 'pipe' | 'ignore' } = {},
): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file, ...args], {
    cwd: pkg,
    env: options.env ?? process.env,
    stdio: [options.stdin ?? 'ignore', options.stdout ?? 'pipe', 'pipe'],
  });
}

/** Run `file` to its end; resolves with its standard output, rejects with its last error lines. */
export function runTs(file: string, args: string[], options: { env?: NodeJS.ProcessEnv; allowFailure?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnTs(file, args, options);
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0 || options.allowFailure) resolve(out);
      else reject(new Error(`${file} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}
