/** Gates from the command line: pause (until resumed, or for a while) and resume a queue or a group key, and list what is closed. */
import type { Gate, GatesSnapshot } from '@org/msgqueue';
import { formatDuration, parseDuration } from '../duration.js';
import { table } from '../render/table.js';
import { type GlobalFlags, type Io, single, withQueues } from './shared.js';

interface GateFlags extends GlobalFlags {
  key?: string;
  note?: string;
  for?: string;
}

export async function pauseCommand(flags: GateFlags, io: Io): Promise<number> {
  const options = { ...keyOf(flags), ...(flags.note === undefined ? {} : { note: flags.note }) };
  if (flags.for === undefined) return change(flags, io, (q) => q.pause(options));
  const ms = parseDuration(flags.for, '--for');
  return change(flags, io, (q) => q.pauseFor(ms, options));
}

export async function resumeCommand(flags: GateFlags, io: Io): Promise<number> {
  return change(flags, io, (q) => q.resume(keyOf(flags)));
}

/** The closed gates of each queue (or the one --queue names). */
export async function gatesCommand(flags: GlobalFlags, io: Io): Promise<number> {
  return withQueues(flags, async (queues) => {
    const all = await Promise.all(queues.map(async (q) => ({ queue: q.options.name as string, ...(await q.gates()) })));
    if (flags.json) io.out(JSON.stringify(all, null, 2));
    else io.out(all.map(render).join('\n\n'));
    return 0;
  });
}

const keyOf = (flags: GateFlags) => (flags.key === undefined ? {} : { key: flags.key });

async function change(
  flags: GateFlags,
  io: Io,
  // biome-ignore lint/suspicious/noExplicitAny: queues of any payload type.
  run: (queue: import('@org/msgqueue').Queue<any>) => Promise<Gate>,
): Promise<number> {
  return withQueues(flags, async (queues) => {
    const gate = await run(single(queues));
    io.out(flags.json ? JSON.stringify(gate, null, 2) : `${describe(gate, new Date())}`);
    return 0;
  });
}

/** One gate in a sentence. */
function describe(g: Gate, now: Date): string {
  const what = g.key === null ? `queue ${g.queue}` : `group ${g.key} of queue ${g.queue}`;
  const state = [
    g.paused ? 'paused' : null,
    g.pausedUntil && g.pausedUntil.getTime() > now.getTime() ? `paused until ${g.pausedUntil.toISOString()}` : null,
  ].filter(Boolean);
  return `${what}: ${state.length > 0 ? state.join(', ') : 'open'}${g.note ? ` (${g.note})` : ''}`;
}

function render(s: GatesSnapshot & { queue: string }): string {
  if (s.gates.length === 0) return `queue ${s.queue}: no gate closed`;
  return `queue ${s.queue}\n${table(
    ['gate', 'paused', 'for', 'note', 'changed'],
    s.gates.map((g) => [
      g.key ?? '(the queue)',
      g.paused ? 'yes' : 'no',
      g.pausedUntil && g.pausedUntil > s.now ? formatDuration(g.pausedUntil.getTime() - s.now.getTime()) : '–',
      g.note ?? '',
      `${formatDuration(Math.max(0, s.now.getTime() - g.updatedAt.getTime()))} ago`,
    ]),
  )}`;
}
