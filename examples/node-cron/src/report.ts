/**
 * The verdict: the provider's log held against the table. Every message must be delivered once, or
 * be FAILED or HELD with a reason; a message the provider saw twice must be one the queue flagged as
 * possibly sent (an earlier attempt may have arrived), never a plain double send; and each
 * conversation's messages must have arrived in the order they were queued.
 */
import type { MessageRecord } from '@org/msgqueue';
import type { DemoMessage } from './config.js';
import type { LogEntry, Mishap } from './provider.js';

/** What the run did, and what went wrong (the `problems` lists are empty on a good run). */
export interface Verdict {
  deliveredOnce: number;
  repeats: { n: number; cause: string }[];
  failed: { n: number; why: string }[];
  held: { n: number; why: string }[];
  unavailable: number;
  problems: { lost: number[]; sentTwiceWithoutCause: number[]; outOfOrder: string[]; unsettled: number[] };
}

const MISHAP: Record<Mishap | 'worker-killed-before-ack', string> = {
  'worker-killed-before-ack': 'its worker was killed before the ack',
  'worker-killed': 'its worker was killed mid-send',
  slow: 'the answer came after the lease',
  'accepted-then-500': 'the provider took it but answered 500',
};

/** Compare the provider's log with the rows (`rows[n]` is message n). */
export function judge(rows: MessageRecord<DemoMessage>[], log: LogEntry[], killedWorkers: ReadonlySet<number>): Verdict {
  const byN = new Map<number, LogEntry[]>();
  for (const e of log) byN.set(e.n, [...(byN.get(e.n) ?? []), e]);
  const v: Verdict = {
    deliveredOnce: 0,
    repeats: [],
    failed: [],
    held: [],
    unavailable: log.filter((e) => e.outcome === 'unavailable').length,
    problems: { lost: [], sentTwiceWithoutCause: [], outOfOrder: [], unsettled: [] },
  };
  for (const row of rows) {
    const { n } = row.payload;
    const entries = byN.get(n) ?? [];
    const delivered = entries.filter((e) => e.outcome === 'delivered');
    const repeats = entries.filter((e) => e.outcome === 'repeat');
    // Why an earlier attempt may have arrived: a mishap of the provider's, or the worker that sent it
    // was killed after the provider took it and before the ack.
    const mishap =
      entries.find((e) => e.mishap)?.mishap ??
      (delivered.some((e) => killedWorkers.has(e.worker)) ? 'worker-killed-before-ack' : undefined);
    if (row.status === 'SENT' && delivered.length === 1 && repeats.length === 0) v.deliveredOnce++;
    if (row.status === 'FAILED') v.failed.push({ n, why: row.lastError ?? '' });
    if (row.status === 'HELD') {
      const next = delivered.length > 0 ? 'the provider has it: mark it sent' : 'the provider never got it: retry it';
      v.held.push({ n, why: `${mishap ? MISHAP[mishap] : 'outcome unknown'}; ${next}` });
    }
    if (['PENDING', 'PROCESSING', 'SENDING'].includes(row.status)) v.problems.unsettled.push(n);
    if (row.status === 'SENT' && delivered.length === 0) v.problems.lost.push(n);
    for (const _ of repeats) {
      if (row.possiblySent) v.repeats.push({ n, cause: mishap ? MISHAP[mishap] : 'an earlier attempt may have arrived' });
      else v.problems.sentTwiceWithoutCause.push(n);
    }
  }
  // Each conversation: first deliveries in the order the messages were queued.
  const firsts = new Map<string, number[]>();
  for (const e of log) if (e.outcome === 'delivered') firsts.set(e.to, [...(firsts.get(e.to) ?? []), e.n]);
  for (const [to, ns] of firsts) {
    if (ns.some((n, i) => i > 0 && n < ns[i - 1]!)) v.problems.outOfOrder.push(`${to}: ${ns.join(', ')}`);
  }
  return v;
}

/** True when nothing was lost, sent twice without cause, out of order or left in flight. */
export const passed = (v: Verdict) => Object.values(v.problems).every((p) => p.length === 0);

const list = (ns: number[], max = 8) =>
  `${ns
    .slice(0, max)
    .map((n) => `#${n}`)
    .join(', ')}${ns.length > max ? ` and ${ns.length - max} more` : ''}`;

/** The verdict as the lines the demo prints. */
export function describeVerdict(v: Verdict, total: number): string[] {
  const row = (label: string, n: number, note = '') => `  ${label.padEnd(38, ' ')}${String(n).padStart(5)}${note ? `   ${note}` : ''}`;
  const causes = new Map<string, number[]>();
  for (const r of v.repeats) causes.set(r.cause, [...(causes.get(r.cause) ?? []), r.n]);
  const lines = [
    row('messages queued', total),
    row('delivered once', v.deliveredOnce),
    row('sent again under the same key', v.repeats.length, v.repeats.length ? 'flagged possiblySent: the provider dropped the repeat' : ''),
    ...[...causes].map(([cause, ns]) => `${' '.repeat(48)}${cause}: ${list(ns)}`),
    row('refused (503) and retried later', v.unavailable),
    row('failed for good', v.failed.length, v.failed.length ? `${list(v.failed.map((f) => f.n))}: ${v.failed[0]!.why}` : ''),
    row('held for review (at-most-once)', v.held.length),
    ...v.held.map((h) => `${' '.repeat(48)}#${h.n}: ${h.why}`),
    '',
    row('lost', v.problems.lost.length, list(v.problems.lost)),
    row('sent twice without cause', v.problems.sentTwiceWithoutCause.length, list(v.problems.sentTwiceWithoutCause)),
    row('conversations out of order', v.problems.outOfOrder.length, v.problems.outOfOrder.slice(0, 3).join(' · ')),
    row('still in flight', v.problems.unsettled.length, list(v.problems.unsettled)),
  ];
  return lines;
}
