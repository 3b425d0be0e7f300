/** The chaos run's processes: the fake provider, the supervised workers, and small helpers. */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { spawnTs } from '@org/msgqueue-test-support';

/** A small seeded PRNG (mulberry32): the same seed gives the same nemesis schedule. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** Wait. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start one of the chaos programs in its own process. Found from the working directory, the Prisma
 * package's (as `pnpm chaos` and the chaos test run it): this module may itself run bundled elsewhere.
 */
export const spawnChaos = (file: string, args: string[], stdout: 'pipe' | 'ignore' = 'ignore'): ChildProcess =>
  spawnTs(join(process.cwd(), 'chaos', file), args, { stdout });

/** The fake provider's process, its port, and its fault switch. */
export interface ProviderProcess {
  child: ChildProcess;
  port: number;
  control: (mode: string, delayMs?: number) => Promise<void>;
}

/** Start the fake provider; it appends accepted deliveries to `logFile`. */
export async function startProvider(logFile: string): Promise<ProviderProcess> {
  const child = spawnChaos('provider.ts', [logFile], 'pipe');
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`provider exited ${code}`)));
  });
  const control = async (mode: string, delayMs = 0) => {
    await fetch(`http://127.0.0.1:${port}/control`, { method: 'POST', body: JSON.stringify({ mode, delayMs }) });
  };
  return { child, port, control };
}

/** Keeps the workers running: a worker that dies is started again, as a platform would. */
export class Supervisor {
  readonly children = new Map<string, ChildProcess>();
  private stopping = false;
  errors = '';
  /** Workers that exited on their own (not killed by a signal, before the stop): each a worker that did not recover. */
  diedOnTheirOwn: string[] = [];
  constructor(private readonly start: (id: string) => ChildProcess) {}
  spawn(id: string) {
    const child = this.start(id);
    child.stderr?.on('data', (d) => (this.errors = (this.errors + d).slice(-4000)));
    this.children.set(id, child);
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      if (signal === null) this.diedOnTheirOwn.push(`${id}:${child.pid} exited ${code}`);
      setTimeout(() => this.spawn(id), 300); // a crashed worker comes back, as on a platform
    });
  }
  target(id: string) {
    const c = this.children.get(id)!;
    return { child: c, name: `${id}:${c.pid}` };
  }
  async stop() {
    this.stopping = true;
    for (const c of this.children.values()) c.kill('SIGCONT');
    for (const c of this.children.values()) c.kill('SIGTERM');
    const deadline = Date.now() + 8_000;
    while ([...this.children.values()].some((c) => c.exitCode === null && c.signalCode === null) && Date.now() < deadline) await sleep(100);
    for (const c of this.children.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
}

/** Wait until no request is still in a slow wait at the provider (at most 10 s). */
export async function slowRequestsDone(port: number): Promise<void> {
  const until = Date.now() + 10_000;
  while (Date.now() < until && ((await (await fetch(`http://127.0.0.1:${port}/slow-pending`)).json()) as number) > 0) await sleep(50);
}

/** A send the provider holds open (hold mode): whose it is, for which message and claim. */
export interface HeldSend {
  /** `workerId:pid`, as the worker's x-worker header says. */
  worker: string;
  id: string;
  token: string;
}

/** Poll `probe` every 20 ms until it answers something, or give up after `ms`. */
export async function waitFor<T>(probe: () => Promise<T | null>, ms: number): Promise<T | null> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null || Date.now() >= until) return value;
    await sleep(20);
  }
}

/** The send the provider holds open, or null. */
export async function heldSend(port: number): Promise<HeldSend | null> {
  return (await (await fetch(`http://127.0.0.1:${port}/held`)).json()) as HeldSend | null;
}

/** Let the provider answer the send it holds. */
export async function releaseHeld(port: number): Promise<void> {
  await fetch(`http://127.0.0.1:${port}/release`, { method: 'POST' });
}

/** A worker with a request open at the provider, polling for up to five seconds. */
export async function workerMidSend(port: number): Promise<string | null> {
  const until = Date.now() + 5_000;
  while (Date.now() < until) {
    const busy = (await (await fetch(`http://127.0.0.1:${port}/inflight`)).json()) as string[];
    if (busy.length) return busy[0]!;
    await sleep(5);
  }
  return null;
}
