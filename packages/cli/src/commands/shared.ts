import { MsgQueueError, type OperatorResult, type Queue } from '@org/msgqueue';
import { forCli, openSource, redact, type SourceOptions } from '../connect.js';
import { UsageError } from '../errors.js';
import { renderPlan } from '../render/plan.js';

/** Where a command writes: data on `out`, progress and problems on `err`. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when `err` is a terminal: progress lines are worth writing. */
  interactive: boolean;
}

/** The global flags every command sees. */
export interface GlobalFlags extends SourceOptions {
  json?: boolean;
}

/** Open the queues, run `fn`, close them whatever happens; storage problems become usage errors (exit 2). */
// biome-ignore lint/suspicious/noExplicitAny: queues of any payload type.
export async function withQueues<T>(flags: GlobalFlags, fn: (queues: Queue<any>[]) => Promise<T>): Promise<T> {
  const source = await openSource(flags);
  try {
    return await fn(source.queues);
  } catch (error) {
    if (MsgQueueError.isInstance(error) && (error.code === 'STORAGE_ERROR' || error.code === 'SCHEMA_MISMATCH')) {
      throw new UsageError(`${source.from}: ${forCli(redact(firstLine(error.message)))}`);
    }
    if (MsgQueueError.isInstance(error)) throw new UsageError(forCli(firstLine(error.message)));
    throw error;
  } finally {
    await source.close().catch(() => {});
  }
}

/** The one queue an action works on. */
// biome-ignore lint/suspicious/noExplicitAny: queues of any payload type.
export function single(queues: Queue<any>[]): Queue<any> {
  if (queues.length > 1) {
    throw new UsageError(`several queues (${queues.map((q) => q.options.name).join(', ')}): pick one with --queue <name>`);
  }
  return queues[0]!;
}

/**
 * Print a plan or its outcome. Exit 0 when everything planned was done (or, in a dry run, could be);
 * 1 when some messages were left alone or skipped, so a script notices.
 */
export function report(result: OperatorResult, flags: GlobalFlags, io: Io): number {
  io.out(flags.json ? JSON.stringify(result, null, 2) : renderPlan(result));
  return result.refused.length > 0 || result.skipped.length > 0 ? 1 : 0;
}

/** Comma- or space-separated ids from a flag. */
export const idList = (text: string | undefined): string[] | undefined =>
  text === undefined ? undefined : text.split(/[\s,]+/).filter((id) => id.length > 0);

const firstLine = (text: string) => text.split('\n')[0]!;
