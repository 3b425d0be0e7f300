/**
 * Gates: pause a queue — or one group key of it — until resumed or for a while, for every process draining it.
 * The state lives in the storage beside the messages, so N cron instances see one switch.
 */
import type { ResolvedOptions } from '../config/options.js';
import { LIMITS } from '../config/options.js';
import { checkOptions, describe, int, key } from '../config/validate.js';
import type { Gate, GateChange, GatesSnapshot } from '../contract/adapter.js';
import type { Finding } from '../contract/results.js';
import { invalidArgument, MsgQueueError } from '../errors/msgqueue-error.js';
import { callHook } from '../observability/hooks.js';

/** The longest note a gate keeps (the SQL gates table's `note` column is as wide). */
export const MAX_NOTE = 500;

/**
 * Options of {@link Queue.pause}, {@link Queue.resume} and {@link Queue.pauseFor}.
 *
 * @category Flow control
 */
export interface GateOptions {
  /** One group key of the queue instead of the whole queue. */
  key?: string;
  /** Why, shown by `diagnose`, the CLI and the status handler (at most 500 characters). */
  note?: string;
}

function checked(o: unknown, field: string, withNote: boolean): { key: string | null; note: string | null } {
  const options = checkOptions<GateOptions>(o ?? {}, field, withNote ? ['key', 'note'] : ['key']);
  const k = options.key === undefined ? null : key(options.key, `${field}.key`);
  let note: string | null = null;
  if (options.note !== undefined) {
    if (typeof options.note !== 'string' || options.note.length > MAX_NOTE) {
      throw invalidArgument(`${field}.note`, `expected a string of at most ${MAX_NOTE} characters, got ${describe(options.note)}.`);
    }
    note = options.note;
  }
  return { key: k, note };
}

function gateOf(ctx: ResolvedOptions, operation: string): NonNullable<ResolvedOptions['adapter']['setGate']> {
  const { adapter } = ctx;
  if (!adapter.capabilities.gates || !adapter.setGate || !adapter.gates) {
    throw new MsgQueueError(
      'UNSUPPORTED',
      `${operation}: the ${adapter.name} adapter keeps no gates (capabilities.gates is not true), so no process could see a pause. ` +
        'The memory adapter and the SQL adapters keep them (SQL: create the gates table, see `msgqueue sql`).',
    );
  }
  return adapter.setGate.bind(adapter);
}

async function change(ctx: ResolvedOptions, operation: 'pause' | 'resume' | 'pauseFor', request: GateChange): Promise<Gate> {
  const gate = await gateOf(ctx, operation)(request);
  const scope = request.key === null ? 'queue' : `group ${request.key}`;
  ctx.logger.info(
    { queue: ctx.name, key: request.key, paused: gate.paused, pausedUntil: gate.pausedUntil, note: gate.note },
    `msgqueue: ${operation} (${scope})`,
  );
  callHook(ctx.hooks, ctx.logger, 'gate', { operation, gate });
  return gate;
}

/** Pause: from the next claim on, in every process, nothing of the queue (or group key) is claimed; sends in flight finish. */
export async function pause(ctx: ResolvedOptions, options?: GateOptions): Promise<Gate> {
  const { key: k, note } = checked(options, 'pause.options', true);
  return change(ctx, 'pause', { queue: ctx.name, key: k, paused: true, note: note ?? 'paused' });
}

/** Resume a paused queue (or group key): its pause, and a pause for a while ({@link pauseFor}), both end. */
export async function resume(ctx: ResolvedOptions, options?: Omit<GateOptions, 'note'>): Promise<Gate> {
  const { key: k } = checked(options, 'resume.options', false);
  return change(ctx, 'resume', { queue: ctx.name, key: k, paused: false, pauseForMs: null });
}

/**
 * Pause the queue (or a group key) for `ms` from the storage's now — what a provider's 429 with
 * `Retry-After` asks of every sender; it opens again on its own. A later end already set is kept.
 */
export async function pauseFor(ctx: ResolvedOptions, ms: number, options?: GateOptions): Promise<Gate> {
  const pauseForMs = int(ms, 'pauseFor.ms', 1, LIMITS.delayMs.max);
  const { key: k, note } = checked(options, 'pauseFor.options', true);
  return change(ctx, 'pauseFor', { queue: ctx.name, key: k, pauseForMs, note: note ?? `paused for ${pauseForMs} ms` });
}

/** The queue's closed gates (paused, until resumed or for a while), the queue's own first. Empty for an adapter without gates. */
export async function gates(ctx: ResolvedOptions): Promise<GatesSnapshot> {
  const { adapter } = ctx;
  if (!adapter.capabilities.gates || !adapter.gates) return { now: new Date(), gates: [] };
  return adapter.gates({ queue: ctx.name });
}

/** What `diagnose` says about closed gates: a paused queue (a warning: claims have stopped), one paused for a while, paused group keys. */
export function gateFindings(closed: readonly Gate[], now: Date): Finding[] {
  const out: Finding[] = [];
  const since = (d: Date) => `${Math.max(0, Math.round((now.getTime() - d.getTime()) / 60_000))} min`;
  const left = (d: Date) => `${Math.max(0, Math.ceil((d.getTime() - now.getTime()) / 1000))} s`;
  const why = (g: Gate) => (g.note ? ` (${g.note})` : '');
  const own = closed.find((g) => g.key === null);
  if (own?.paused) {
    out.push({
      severity: 'warning',
      code: 'QUEUE_PAUSED',
      message: `The queue is paused${why(own)}, for ${since(own.updatedAt)}: no process claims from it.`,
      advice: 'queue.resume() when the cause is gone (sends in flight at the pause have finished).',
    });
  }
  if (own?.pausedUntil && own.pausedUntil.getTime() > now.getTime()) {
    out.push({
      severity: 'info',
      code: 'QUEUE_PAUSED_UNTIL',
      message: `The queue is paused for ${left(own.pausedUntil)} more, until ${own.pausedUntil.toISOString()}${why(own)}.`,
      advice:
        'Nothing to do: claims start again on their own when the pause runs out (a provider asked for it, with Retry-After); queue.resume() ends it now.',
    });
  }
  const keys = closed.filter((g) => g.key !== null);
  if (keys.length > 0) {
    const shown = keys.slice(0, 5).map((g) => `${g.key} (${g.paused ? 'paused' : `paused for ${left(g.pausedUntil!)}`})`);
    out.push({
      severity: 'info',
      code: 'GROUPS_GATED',
      message: `${keys.length} group key(s) paused: ${shown.join(', ')}${keys.length > 5 ? ', …' : ''}.`,
      advice: 'queue.resume({ key }) resumes one; a pause for a while runs out on its own.',
    });
  }
  return out;
}
