/** Build and run the example app for its end-to-end test: workspace packages, Prisma client, next build, next start. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const APP = fileURLToPath(new URL('..', import.meta.url));

/**
 * The app imports the workspace packages as an installed app would, through their built `dist/` (the
 * e2e project's setup builds them), and its Prisma client must be generated.
 */
export async function prepareApp(): Promise<void> {
  await run(process.execPath, [join(APP, 'scripts', 'generate.mjs')], { cwd: APP });
}

/** `next build` with `env`; resolves with its output, rejects with it when the build fails. */
export async function nextBuild(env: Record<string, string>): Promise<string> {
  const { stdout, stderr } = await run(join(APP, 'node_modules', '.bin', 'next'), ['build'], {
    cwd: APP,
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout + stderr;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** One `next start` instance. */
export interface Instance {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Start `next start` on a free port and wait until it answers. */
export async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const child: ChildProcess = spawn(join(APP, 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: APP,
    env: { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited (${child.exitCode}):\n${output}`);
    try {
      await fetch(`${url}/api/status`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`next start did not answer within 60 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
