/**
 * The history checker, after Jepsen's total-queue checker: from what was enqueued, what the
 * provider logged and what the table holds, find lost, unexpected and duplicated messages (each
 * duplicate matched to an injected fault that made its earlier delivery ambiguous), rows not in a
 * terminal state, broken group order, and whether `diagnose` agrees with the table.
 */
import { mostWithin } from '@org/msgqueue-test-support';

/** A message the producer enqueued. */
export interface Enqueued {
  id: string;
  g: number;
  n: number;
}

/** A row as the table holds it at the end. */
export interface FinalRow {
  id: string;
  status: string;
}

/** One delivery the provider accepted. */
export interface Delivery {
  id: string;
  token: string;
  key: string;
  g: number;
  n: number;
  worker: string;
  receivedAt: number;
  acceptedAt: number;
  fault: 'slow' | 'drop' | null;
}

/** One injected fault. `target` is `workerId:pid` for worker faults, null for provider faults. */
export interface Fault {
  kind: 'kill' | 'stop' | 'terminate' | 'slow' | 'drop' | 'error' | 'restart';
  target: string | null;
  start: number;
  end: number;
}

export interface CheckInput {
  mode: 'at-least-once' | 'at-most-once';
  leaseMs: number;
  enqueued: Enqueued[];
  rows: FinalRow[];
  deliveries: Delivery[];
  faults: Fault[];
  /** Every transition the fencing refused as stale-claim: by which worker (`workerId:pid`), on which message. */
  staleClaims: { worker: string; id: string }[];
  /** The send a worker was certainly paused in until its message was recycled (null: the pause failed). */
  pausedMidSend: { worker: string; id: string } | null;
  /** Why the certain pause did not happen, when it did not. */
  pauseFailure: string | null;
  /** Claim tokens whose send the worker itself saw end with an unknown outcome (timeout, reset). */
  ambiguousSends: Set<string>;
  diagnoseCounts: Record<string, number>;
  /** Workers that exited on their own during the run (a database restart must not end one). */
  diedOnTheirOwn?: string[];
  /** The queue's rate limit the workers ran under, if any. */
  rateLimit?: { max: number; perMs: number } | null;
  /** When the queue was paused for every worker (after the pause was written, until the resume). */
  pauses?: { start: number; end: number }[];
}

export interface CheckReport {
  mode: string;
  messages: number;
  deliveries: number;
  sent: number;
  failed: number;
  held: number;
  lost: string[];
  unexpected: number;
  duplicates: { total: number; byCause: Record<string, number>; unexplained: string[] };
  keyMismatch: string[];
  /** Workers that exited on their own (none may: faults are survived, not restarted away). */
  diedOnTheirOwn: string[];
  nonTerminal: string[];
  sentWithoutDelivery: string[];
  staleClaimsRefused: number;
  /** The worker certainly paused mid-send past its lease, and its message. */
  pausedMidSend: { worker: string; id: string } | null;
  groups: { outOfOrder: string[]; overlapping: string[] };
  /**
   * The provider's busiest window of `perMs` under the rate limit: `busiest` without the arrivals of
   * sends that outlived their lease (a worker SIGSTOPped past it — outside the protocol's assumption,
   * as for every other property), `busiestAll` with them; null without a limit.
   */
  rateLimit: { max: number; perMs: number; busiest: number; busiestAll: number; excused: number } | null;
  /** The pauses, and deliveries that arrived behind one later than a lease after it began: claimed behind the gate. */
  pauses: { windows: { start: number; end: number }[]; behind: string[] };
  diagnoseMatches: boolean;
  faults: Record<string, number>;
  pass: boolean;
  failures: string[];
}

const TERMINAL = ['SENT', 'FAILED', 'HELD'];

export function check(input: CheckInput): CheckReport {
  const known = new Map(input.enqueued.map((e) => [e.id, e]));
  const rows = new Map(input.rows.map((r) => [r.id, r.status]));
  const byId = new Map<string, Delivery[]>();
  let unexpected = 0;
  for (const d of input.deliveries) {
    if (!known.has(d.id)) {
      unexpected++;
      continue;
    }
    byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  }

  const lost = input.enqueued.filter((e) => !byId.has(e.id) && !['FAILED', 'HELD'].includes(rows.get(e.id) ?? '')).map((e) => e.id);
  const nonTerminal = input.enqueued
    .filter((e) => !TERMINAL.includes(rows.get(e.id) ?? 'MISSING'))
    .map((e) => `${e.id}:${rows.get(e.id) ?? 'MISSING'}`);
  const sentWithoutDelivery = input.enqueued.filter((e) => rows.get(e.id) === 'SENT' && !byId.has(e.id)).map((e) => e.id);

  const byCause: Record<string, number> = {};
  const unexplained: string[] = [];
  const keyMismatch: string[] = [];
  let total = 0;
  for (const [id, list] of byId) {
    if (new Set(list.map((d) => d.key)).size > 1) keyMismatch.push(id);
    if (list.length < 2) continue;
    // k deliveries are k - 1 duplicates; each needs one delivery whose outcome a fault made
    // ambiguous (the one that finally counted needs none). Which one came first does not matter:
    // a slow delivery may be accepted after its own resend.
    const duplicates = list.length - 1;
    total += duplicates;
    const causes = list.map((d) => explain(d, input.faults, input.leaseMs, input.ambiguousSends)).filter((c): c is string => c !== null);
    for (const cause of causes.slice(0, duplicates)) byCause[cause] = (byCause[cause] ?? 0) + 1;
    for (let i = causes.length; i < duplicates; i++)
      unexplained.push(`${id} (${list.map((d) => `${d.worker}@${d.acceptedAt}${d.fault ? `/${d.fault}` : ''}`).join(', ')})`);
  }

  const groups = checkGroups(input.deliveries.filter((d) => d.g >= 0 && known.has(d.id)));
  const count = (status: string) => input.rows.filter((r) => r.status === status).length;
  const tableCounts: Record<string, number> = {};
  for (const r of input.rows) tableCounts[r.status] = (tableCounts[r.status] ?? 0) + 1;
  const diagnoseMatches =
    Object.entries(input.diagnoseCounts).every(([s, n]) => (tableCounts[s] ?? 0) === n) &&
    Object.entries(tableCounts).every(([s, n]) => input.diagnoseCounts[s] === n);
  const faults: Record<string, number> = {};
  for (const f of input.faults) faults[f.kind] = (faults[f.kind] ?? 0) + 1;

  const failures: string[] = [];
  if (lost.length) failures.push(`${lost.length} lost`);
  if (unexpected) failures.push(`${unexpected} unexpected deliveries`);
  if (unexplained.length) failures.push(`${unexplained.length} unexplained duplicates`);
  if (input.mode === 'at-most-once' && total > 0) failures.push(`${total} duplicates under at-most-once`);
  if (keyMismatch.length) failures.push(`${keyMismatch.length} resends with another idempotency key`);
  if (nonTerminal.length) failures.push(`${nonTerminal.length} rows not in a terminal state`);
  if (sentWithoutDelivery.length) failures.push(`${sentWithoutDelivery.length} SENT rows never delivered`);
  const paused = input.pausedMidSend;
  if (!paused) failures.push(`no worker was paused mid-send past its lease: ${input.pauseFailure ?? 'unknown reason'}`);
  else if (!input.staleClaims.some((s) => s.worker === paused.worker && s.id === paused.id)) {
    failures.push(`the worker paused mid-send (${paused.worker}, message ${paused.id}) was not refused as a stale claim: fencing failed`);
  }
  if (groups.outOfOrder.length) failures.push(`${groups.outOfOrder.length} groups out of order`);
  if (groups.overlapping.length) failures.push(`${groups.overlapping.length} overlapping deliveries within a group`);
  if (!diagnoseMatches) failures.push("diagnose's counts differ from the table");
  const died = input.diedOnTheirOwn ?? [];
  if (died.length) failures.push(`${died.length} workers exited on their own instead of recovering: ${died.join(', ')}`);
  // A worker stopped (SIGSTOP) may send after its lease once it runs again: its arrivals until a
  // lease after it resumed are outside what a lease-bound slot can promise.
  const outlived = (d: Delivery) =>
    input.faults.some(
      (f) => f.kind === 'stop' && f.target === d.worker && d.receivedAt >= f.start && d.receivedAt <= f.end + input.leaseMs,
    );
  let rateLimit: CheckReport['rateLimit'] = null;
  if (input.rateLimit) {
    const { max, perMs } = input.rateLimit;
    const counted = input.deliveries.filter((d) => !outlived(d)).map((d) => d.receivedAt);
    rateLimit = {
      max,
      perMs,
      busiest: mostWithin(counted, perMs),
      busiestAll: mostWithin(
        input.deliveries.map((d) => d.receivedAt),
        perMs,
      ),
      excused: input.deliveries.length - counted.length,
    };
    if (rateLimit.busiest > max)
      failures.push(`the provider saw ${rateLimit.busiest} deliveries within ${perMs} ms, over the limit of ${max}`);
  }
  const windows = input.pauses ?? [];
  const behind = input.deliveries
    .filter((d) => !outlived(d) && windows.some((w) => d.receivedAt >= w.start + input.leaseMs && d.receivedAt <= w.end))
    .map((d) => `${d.id}@${d.receivedAt}`);
  if (behind.length) failures.push(`${behind.length} deliveries claimed while the queue was paused`);

  return {
    mode: input.mode,
    messages: input.enqueued.length,
    deliveries: input.deliveries.length,
    sent: count('SENT'),
    failed: count('FAILED'),
    held: count('HELD'),
    lost,
    unexpected,
    duplicates: { total, byCause, unexplained },
    keyMismatch,
    nonTerminal,
    sentWithoutDelivery,
    staleClaimsRefused: input.staleClaims.length,
    pausedMidSend: input.pausedMidSend,
    groups,
    rateLimit,
    pauses: { windows, behind },
    diagnoseMatches,
    diedOnTheirOwn: died,
    faults,
    pass: failures.length === 0,
    failures,
  };
}

/** The fault that made a delivery's outcome ambiguous to its worker (so a resend was legitimate), if any. */
function explain(d: Delivery, faults: Fault[], leaseMs: number, ambiguousSends: Set<string>): string | null {
  if (d.fault === 'drop') return 'drop'; // accepted, then the connection was cut before the answer
  if (d.fault === 'slow') return 'slow'; // accepted after a wait the client may not have sat through
  // The worker's send gave up (its lease deadline) just as the provider accepted.
  if (ambiguousSends.has(d.token)) return 'client-timeout';
  const from = d.acceptedAt - 1_000;
  const to = d.acceptedAt + leaseMs + 1_000;
  const hit = faults.find(
    (f) =>
      ['kill', 'stop', 'terminate', 'restart'].includes(f.kind) &&
      (f.target === null || f.target === d.worker) &&
      f.start >= from &&
      f.start <= to,
  );
  return hit ? hit.kind : null;
}

/** Per group: first deliveries in enqueue order, and no two deliveries handled at once. */
export function checkGroups(deliveries: Delivery[]): { outOfOrder: string[]; overlapping: string[] } {
  const byGroup = new Map<number, Delivery[]>();
  for (const d of deliveries) byGroup.set(d.g, [...(byGroup.get(d.g) ?? []), d]);
  const outOfOrder: string[] = [];
  const overlapping: string[] = [];
  for (const [g, list] of byGroup) {
    list.sort((a, b) => a.acceptedAt - b.acceptedAt);
    const firsts: number[] = [];
    for (const d of list) if (!firsts.includes(d.n)) firsts.push(d.n);
    if (firsts.some((n, i) => i > 0 && n < firsts[i - 1]!)) outOfOrder.push(`group ${g}: ${firsts.join(',')}`);
    const byStart = [...list].sort((a, b) => a.receivedAt - b.receivedAt);
    for (let i = 1; i < byStart.length; i++) {
      if (byStart[i]!.receivedAt < byStart[i - 1]!.acceptedAt) overlapping.push(`group ${g}: #${byStart[i - 1]!.n} and #${byStart[i]!.n}`);
    }
  }
  return { outOfOrder, overlapping };
}
