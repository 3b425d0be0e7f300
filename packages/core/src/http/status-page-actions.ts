/**
 * The status page's operator actions: a submitted form made into the same call the CLI makes
 * (`retryMany`, `markSent`, `releaseStuck`, `purge`, `cancel`, `pause`, `pauseFor`, `resume`), run
 * first as a dry run and, once confirmed, for real — on the rows the dry run showed, where the action
 * takes ids, so a confirmation never reaches a message the operator did not see.
 */
import type { Gate } from '../contract/adapter.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import type { OperatorResult } from '../operator/plan.js';
import type { Queue } from '../queue/create-queue.js';
import { ACTIONS, type ActionName, minutesMs } from './status-page-lists.js';

/** A change of many messages: planned by a dry run, then carried out. */
export interface RowsAction {
  kind: 'rows';
  name: Exclude<ActionName, 'pause' | 'resume'>;
  /** Whether the action selects by ids, so a confirmation can be narrowed to the rows the plan showed. */
  takesIds: boolean;
  run(dryRun: boolean): Promise<OperatorResult>;
}

/** A change of one gate: shown first as what it would do, then carried out. */
export interface GateAction {
  kind: 'gate';
  name: 'pause' | 'resume';
  key: string | null;
  /** What it does, in a sentence. */
  describe: string;
  run(): Promise<Gate>;
}

/** An action read from a form. */
export type Action = RowsAction | GateAction;

const MINUTE = 60_000;
/** At most this many rows per action, as the CLI's default `--limit`. */
const LIMIT = 1000;

/** A whole number of minutes from a form field (empty: undefined), as milliseconds. */
function minutes(form: URLSearchParams, name: string, label: string): number | undefined {
  const raw = form.get(name) ?? '';
  const ms = minutesMs(raw);
  if (ms === null) throw invalidArgument(label, `expected a whole number of minutes, got "${raw.trim().slice(0, 40)}".`);
  return ms;
}

/** Whose gate a pause or resume changes, in words. */
// biome-ignore lint/suspicious/noExplicitAny: a queue of any payload type.
const whose = (queue: Queue<any>, key: string | null) =>
  key === null ? `the queue ${queue.options.name}` : `the group ${key} of ${queue.options.name}`;

/** A text field, trimmed; undefined when empty. */
function text(form: URLSearchParams, name: string): string | undefined {
  const value = (form.get(name) ?? '').trim();
  return value === '' ? undefined : value;
}

/** Every `id` field, without blanks or repeats. */
export function idsOf(form: URLSearchParams): string[] {
  return [...new Set(form.getAll('id').map((id) => id.trim()))].filter((id) => id !== '');
}

/** Statuses from `status` fields, each among `allowed`; `fallback` when there are none. */
function statuses<S extends string>(form: URLSearchParams, allowed: readonly S[], fallback: S[]): S[] {
  const list = form.getAll('status').filter((s) => s !== '');
  if (list.length === 0) return fallback;
  for (const s of list) {
    if (!allowed.includes(s as S)) throw invalidArgument('status', `expected ${allowed.join(' or ')}, got "${s.slice(0, 40)}".`);
  }
  return list as S[];
}

/**
 * The action a form asks for on `queue`. Bad input throws `INVALID_ARGUMENT` before anything is
 * read, as the queue's own methods do.
 */
// biome-ignore lint/suspicious/noExplicitAny: a queue of any payload type.
export function actionOf(queue: Queue<any>, form: URLSearchParams): Action {
  const name = form.get('action') as ActionName;
  if (!ACTIONS.includes(name)) throw invalidArgument('action', `expected one of ${ACTIONS.join(', ')}.`);
  const ids = idsOf(form);
  const byIds = ids.length > 0 ? { ids } : {};
  const olderThanMs = minutes(form, 'older_than', 'older than (minutes)');
  const errorContains = text(form, 'error');
  const note = text(form, 'note');
  switch (name) {
    case 'retry': {
      const status = statuses(form, ['FAILED', 'HELD'] as const, ['FAILED']);
      const o = { status, ...byIds, ...(olderThanMs !== undefined ? { olderThanMs } : {}), ...(errorContains ? { errorContains } : {}) };
      return { kind: 'rows', name, takesIds: true, run: (dryRun) => queue.retryMany({ ...o, limit: LIMIT, dryRun }) };
    }
    case 'mark-sent': {
      if (ids.length === 0) throw invalidArgument('id', 'select the messages the provider confirms it delivered.');
      const allowFailed = form.get('allow_failed') === '1';
      return { kind: 'rows', name, takesIds: true, run: (dryRun) => queue.markSent(ids, { allowFailed, dryRun }) };
    }
    case 'release-stuck': {
      const sending = text(form, 'sending');
      if (sending !== undefined && sending !== 'resend' && sending !== 'hold' && sending !== 'sent') {
        throw invalidArgument('sending', 'expected resend, hold or sent (or nothing: refuse messages that may have been sent).');
      }
      const o = {
        ...byIds,
        ...(olderThanMs !== undefined ? { olderThanMs } : ids.length === 0 ? { olderThanMs: 0 } : {}),
        force: form.get('force') === '1',
        ...(sending ? { sending: sending as 'resend' | 'hold' | 'sent' } : {}),
      };
      return { kind: 'rows', name, takesIds: true, run: (dryRun) => queue.releaseStuck({ ...o, limit: LIMIT, dryRun }) };
    }
    case 'purge': {
      if (olderThanMs === undefined) throw invalidArgument('older than (minutes)', 'say how old a finished message must be to go.');
      const status = statuses(form, ['SENT', 'FAILED', 'CANCELLED'] as const, ['SENT']);
      return { kind: 'rows', name, takesIds: false, run: (dryRun) => queue.purge({ status, olderThanMs, limit: LIMIT, dryRun }) };
    }
    case 'cancel': {
      const groupKey = text(form, 'group');
      const o = {
        ...byIds,
        ...(groupKey ? { groupKey } : {}),
        ...(olderThanMs !== undefined ? { olderThanMs } : {}),
        ...(errorContains ? { errorContains } : {}),
        ...(note ? { note } : {}),
      };
      return { kind: 'rows', name, takesIds: true, run: (dryRun) => queue.cancel({ ...o, limit: LIMIT, dryRun }) };
    }
    case 'pause': {
      const key = text(form, 'group') ?? null;
      const forMs = minutes(form, 'for', 'for (minutes)');
      const options = { ...(key !== null ? { key } : {}), ...(note ? { note } : {}) };
      return {
        kind: 'gate',
        name,
        key,
        describe: `Pause ${whose(queue, key)}${forMs ? ` for ${forMs / MINUTE} min` : ' until resumed'}: from their next claim no process takes its messages; sends already in flight finish.`,
        run: () => (forMs ? queue.pauseFor(forMs, options) : queue.pause(options)),
      };
    }
    case 'resume': {
      const key = text(form, 'group') ?? null;
      return {
        kind: 'gate',
        name,
        key,
        describe: `Resume ${whose(queue, key)}: its messages are claimed again from every process's next claim (a timed pause ends too).`,
        run: () => queue.resume(key !== null ? { key } : {}),
      };
    }
  }
}
