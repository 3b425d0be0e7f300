/** The operator actions: each a dry run unless `--execute`, printing every row and its transition. */
import type { OperatorResult } from '@org/msgqueue';
import { parseDuration, parseWhole } from '../duration.js';
import { UsageError } from '../errors.js';
import { type GlobalFlags, type Io, idList, report, single, withQueues } from './shared.js';

interface Common {
  execute?: boolean;
  limit?: string;
}

const limitOf = (flags: Common) => (flags.limit === undefined ? 1000 : parseWhole(flags.limit, '--limit', 1, 100_000));

/** Say on stderr what is about to be written, for an operator watching a long run. */
function announce(io: Io, flags: Common, what: string): void {
  if (flags.execute && io.interactive) io.err(`msgqueue: ${what}…`);
}

export async function releaseStuckCommand(
  flags: GlobalFlags & Common & { ids?: string; olderThan?: string; force?: boolean; sending?: string },
  io: Io,
) {
  const sending = flags.sending as 'resend' | 'hold' | 'sent' | undefined;
  if (sending !== undefined && !['resend', 'hold', 'sent'].includes(sending)) {
    throw new UsageError(`--sending: expected resend, hold or sent, got "${sending}"`);
  }
  const ids = idList(flags.ids);
  const options = {
    ...(ids ? { ids } : { olderThanMs: parseDuration(flags.olderThan ?? '0s', '--older-than') }),
    ...(ids && flags.olderThan !== undefined ? { olderThanMs: parseDuration(flags.olderThan, '--older-than') } : {}),
    force: flags.force === true,
    ...(sending ? { sending } : {}),
    limit: limitOf(flags),
  };
  return act(flags, io, 'releasing messages stuck in flight', (q) => q.releaseStuck({ ...options, dryRun: !flags.execute }));
}

export async function retryCommand(
  flags: GlobalFlags & Common & { status?: string; ids?: string; olderThan?: string; errorContains?: string },
  io: Io,
) {
  const status = (flags.status ?? 'FAILED').split(',').map((s) => s.trim().toUpperCase());
  if (status.some((s) => s !== 'FAILED' && s !== 'HELD'))
    throw new UsageError(`--status: expected FAILED, HELD or FAILED,HELD, got "${flags.status}"`);
  const ids = idList(flags.ids);
  const options = {
    status: status as ('FAILED' | 'HELD')[],
    ...(ids ? { ids } : {}),
    ...(flags.olderThan !== undefined ? { olderThanMs: parseDuration(flags.olderThan, '--older-than') } : {}),
    ...(flags.errorContains !== undefined ? { errorContains: flags.errorContains } : {}),
    limit: limitOf(flags),
  };
  return act(flags, io, 'retrying', (q) => q.retryMany({ ...options, dryRun: !flags.execute }));
}

export async function markSentCommand(ids: string[], flags: GlobalFlags & Common & { allowFailed?: boolean }, io: Io) {
  const list = ids.flatMap((id) => idList(id) ?? []);
  if (list.length === 0) throw new UsageError('mark-sent: give the ids the provider confirms it delivered');
  return act(flags, io, 'marking sent', (q) => q.markSent(list, { allowFailed: flags.allowFailed === true, dryRun: !flags.execute }));
}

export async function purgeCommand(flags: GlobalFlags & Common & { olderThan?: string; status?: string }, io: Io) {
  if (flags.olderThan === undefined) throw new UsageError('purge: --older-than is required (e.g. --older-than 30d)');
  const status = (flags.status ?? 'SENT').split(',').map((s) => s.trim().toUpperCase());
  if (status.some((s) => s !== 'SENT' && s !== 'FAILED' && s !== 'CANCELLED'))
    throw new UsageError(`--status: expected SENT, FAILED, CANCELLED or a list such as SENT,FAILED, got "${flags.status}"`);
  const options = {
    olderThanMs: parseDuration(flags.olderThan, '--older-than'),
    status: status as ('SENT' | 'FAILED' | 'CANCELLED')[],
    limit: limitOf(flags),
  };
  return act(flags, io, 'purging', (q) => q.purge({ ...options, dryRun: !flags.execute }));
}

export async function cancelCommand(
  flags: GlobalFlags & Common & { ids?: string; group?: string; olderThan?: string; errorContains?: string; note?: string },
  io: Io,
) {
  const ids = idList(flags.ids);
  if (!ids && flags.group === undefined && flags.olderThan === undefined && flags.errorContains === undefined) {
    throw new UsageError(
      'cancel: say which PENDING messages: --ids, --group, --older-than or --error-contains (--older-than 0s: all of them)',
    );
  }
  const options = {
    ...(ids ? { ids } : {}),
    ...(flags.group !== undefined ? { groupKey: flags.group } : {}),
    ...(flags.olderThan !== undefined ? { olderThanMs: parseDuration(flags.olderThan, '--older-than') } : {}),
    ...(flags.errorContains !== undefined ? { errorContains: flags.errorContains } : {}),
    ...(flags.note !== undefined ? { note: flags.note } : {}),
    limit: limitOf(flags),
  };
  return act(flags, io, 'cancelling', (q) => q.cancel({ ...options, dryRun: !flags.execute }));
}

async function act(
  flags: GlobalFlags & Common,
  io: Io,
  what: string,
  // biome-ignore lint/suspicious/noExplicitAny: queues of any payload type.
  run: (queue: import('@org/msgqueue').Queue<any>) => Promise<OperatorResult>,
): Promise<number> {
  return withQueues(flags, async (queues) => {
    const queue = single(queues);
    announce(io, flags, `${what} in ${queue.options.name}`);
    return report(await run(queue), flags, io);
  });
}
