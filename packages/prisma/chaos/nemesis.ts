/**
 * The nemesis. First one fault that every run must see, made certain rather than left to luck: a
 * worker paused in the middle of a send until its lease has expired and its message was recycled,
 * then resumed, so its late ack or fail must be refused by the fencing. Then the seeded random part:
 * one fault at a time, every kind once per cycle in a seeded order, each healed before the next — a
 * slow window only ends once its slow requests have been answered, so a pause never freezes a worker
 * in the middle of one — until `until`. Every fault is recorded with its target and time window so
 * the checker can match each duplicate to the fault that made its first delivery ambiguous.
 */
import type { Fault } from './checker.js';
import {
  type HeldSend,
  heldSend,
  type ProviderProcess,
  releaseHeld,
  type Supervisor,
  sleep,
  slowRequestsDone,
  waitFor,
  workerMidSend,
} from './processes.js';

export interface NemesisPlan {
  random: () => number;
  until: number;
  workers: Supervisor;
  workerCount: number;
  provider: ProviderProcess;
  canTerminate: boolean;
  /** Terminate the database connections of one worker (by id). */
  terminate: (workerId: string) => Promise<void>;
  /** Whether a terminate hits only the named worker (PostgreSQL) or every connection (MariaDB). */
  attributable: boolean;
  leaseMs: number;
  /** The claim token a message's row carries now (null when no claim owns it). */
  tokenOf: (id: string) => Promise<string | null>;
  /** Where each injected fault is recorded. */
  faults: Fault[];
  /** kill -9 the database server and start it again (a server the run owns), or null. */
  restart: (() => Promise<void>) | null;
}

/** What the nemesis did for certain. */
export interface NemesisOutcome {
  /** The send a worker was paused in until its message was recycled, or null with `why`. */
  pausedMidSend: HeldSend | null;
  why: string | null;
}

/**
 * Pause a worker certainly mid-send: the provider holds the next send open, the worker that made it
 * is stopped, and it stays stopped until the message's row no longer carries its claim token (the
 * lease expired and another worker recycled it). Then the provider answers and the worker resumes.
 */
async function pauseMidSend(p: NemesisPlan): Promise<NemesisOutcome> {
  await p.provider.control('hold');
  const held = await waitFor(() => heldSend(p.provider.port), 30_000);
  if (!held) return { pausedMidSend: null, why: 'no send reached the provider within 30 s' };
  const worker = p.workers.target(held.worker.split(':')[0]!);
  if (worker.name !== held.worker) {
    await releaseHeld(p.provider.port);
    return { pausedMidSend: null, why: `worker ${held.worker} is gone` };
  }
  const fault: Fault = { kind: 'stop', target: worker.name, start: Date.now(), end: 0 };
  worker.child.kill('SIGSTOP');
  const recycled = await waitFor(async () => ((await p.tokenOf(held.id)) === held.token ? null : true), 10 * p.leaseMs + 10_000);
  await releaseHeld(p.provider.port);
  worker.child.kill('SIGCONT');
  fault.end = Date.now();
  p.faults.push(fault);
  if (!recycled) return { pausedMidSend: null, why: `message ${held.id} was never recycled while its worker was paused` };
  return { pausedMidSend: held, why: null };
}

export async function runNemesis(p: NemesisPlan): Promise<NemesisOutcome> {
  await sleep(1_500);
  const outcome = await pauseMidSend(p);
  const kinds: Fault['kind'][] = [
    'kill',
    'stop',
    'slow',
    'drop',
    'error',
    ...(p.canTerminate ? (['terminate'] as const) : []),
    ...(p.restart ? (['restart'] as const) : []),
  ];
  let cycle: Fault['kind'][] = [...kinds].sort(() => p.random() - 0.5);
  let firstCycle = true;
  await sleep(500);
  // The first cycle always completes, so even a short run injects every kind of fault once.
  while (Date.now() < p.until || (firstCycle && cycle.length > 0)) {
    if (cycle.length === 0) {
      cycle = [...kinds].sort(() => p.random() - 0.5);
      firstCycle = false;
    }
    const kind = cycle.shift()!;
    const worker = p.workers.target(`w${Math.floor(p.random() * p.workerCount)}`);
    const fault: Fault = { kind, target: null, start: Date.now(), end: 0 };
    if (kind === 'kill') {
      fault.target = worker.name;
      worker.child.kill('SIGKILL');
    } else if (kind === 'stop') {
      // Pause a worker mid-send when one is (a GC pause, a frozen container): its lease runs out.
      const busy = await workerMidSend(p.provider.port);
      const paused = busy ? p.workers.target(busy.split(':')[0]!) : worker;
      fault.target = paused.name;
      fault.start = Date.now();
      paused.child.kill('SIGSTOP');
      await sleep(p.leaseMs + 1_500);
      paused.child.kill('SIGCONT');
    } else if (kind === 'restart') {
      // The database dies under every worker (kill -9, all its processes) and comes back: crash recovery.
      await p.restart!();
    } else if (kind === 'terminate') {
      fault.target = p.attributable ? worker.name : null;
      await p.terminate(worker.name.split(':')[0]!);
    } else {
      await p.provider.control(kind, kind === 'slow' ? p.leaseMs + 1_000 : 0);
      await sleep(kind === 'slow' ? 4_000 : 2_500);
      await p.provider.control('normal');
      if (kind === 'slow') await slowRequestsDone(p.provider.port);
    }
    fault.end = Date.now();
    p.faults.push(fault);
    await sleep(500 + p.random() * 1_000);
  }
  return outcome;
}
