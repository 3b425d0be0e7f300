/**
 * Model-based tests: random schedules of the protocol's steps — enqueue, claim, guard, the send's
 * outcome (ack or fail), release, extend, recycle, a worker's crash, time passing, an operator's
 * retry, markSent, releaseStuck and cancel — run against the adapter and, after every step, held against a
 * reference model of each row, with the protocol's properties (docs/protocol.md) checked at every
 * delivery. fast-check shrinks a failing schedule to a shortest one; those found are replayed below.
 */
import type { ClaimedMessage, DeliveryMode, MessageStatus, Queue } from '@org/msgqueue';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fixture } from '../context.js';

const LEASE_MS = 6_000_000;
const MARGIN_MS = 600_000;
const MAX_ATTEMPTS = 2;
/**
 * Steps of time: whatever their sum, never within 100 s of a lease boundary, so the database's own
 * clock moving on while a schedule runs (even on a starved machine) cannot flip an outcome.
 */
const STEPS_MS = [1_100_000, 2_500_000, 7_000_000] as const;
const WORKERS = 3;
const OUTCOMES = ['delivered', 'delivered-answer-lost', 'timed-out', 'retryable', 'permanent'] as const;
type Outcome = (typeof OUTCOMES)[number];

/** A row as the model expects it. */
interface Row {
  id: string;
  group: boolean;
  status: MessageStatus;
  attempts: number;
  possiblySent: boolean;
  /** The claim that owns it (a number the model gives each claim), or null. */
  claim: number | null;
  leaseUntil: number;
  deliveries: number;
}

/** The reference model: the rows, the model's clock, each worker's claim. */
interface Model {
  mode: DeliveryMode;
  now: number;
  rows: Row[];
  claims: number;
  /** Per worker: the messages it claimed and has not guarded yet, and those it guarded and has yet to send. */
  workers: { held: Entry[]; guarded: Entry[] }[];
}

/** A message in a worker's hands: the claim it came with (the model's number for it) and what claimBatch answered. */
interface Entry {
  id: string;
  claim: number;
  message: ClaimedMessage<number>;
}

/** The system under test: a queue over the adapter (the provider's log is each row's `deliveries`). */
interface Real {
  q: Queue<number>;
  advance(ms: number): Promise<void>;
  /** What each step of this schedule did, in words: printed with a failure. */
  log: string[];
}

type Cmd = fc.AsyncCommand<Model, Real>;

const inFlight = (r: Row) => r.status === 'PROCESSING' || r.status === 'SENDING';
/** The claim a worker took the message with still owns its row. */
const owns = (e: Entry, r: Row) => r.claim === e.claim;
const row = (m: Model, id: string) => m.rows.find((r) => r.id === id)!;

/** Worker w is done with this message (sent, released, or refused by the guard). */
function done(m: Model, w: number, e: Entry): void {
  m.workers[w]!.held = m.workers[w]!.held.filter((x) => x !== e);
  m.workers[w]!.guarded = m.workers[w]!.guarded.filter((x) => x !== e);
}

/** The group rule: claimable when PENDING, and, in a group, no other row in flight and none earlier still pending. */
function claimable(m: Model, r: Row): boolean {
  if (r.status !== 'PENDING') return false;
  if (!r.group) return true;
  const i = m.rows.indexOf(r);
  return !m.rows.some((o, j) => o !== r && o.group && (inFlight(o) || (j < i && o.status === 'PENDING')));
}

/** What `fail` does to a row its claim still owns (core/src/worker/settle.ts). */
function failed(m: Model, r: Row, maybeSent: boolean, retryable: boolean): void {
  const final = !retryable || r.attempts >= MAX_ATTEMPTS;
  if (maybeSent && r.status === 'SENDING') {
    r.possiblySent = true;
    r.status = final ? 'FAILED' : m.mode === 'at-most-once' ? 'HELD' : 'PENDING';
  } else r.status = final ? 'FAILED' : 'PENDING';
  r.claim = null;
}

/** After every step: each row in storage is as the model says. */
async function sameRows(m: Model, real: Real): Promise<void> {
  for (const r of m.rows) {
    const got = await real.q.get(r.id);
    expect({
      id: r.id,
      status: got?.status,
      attempts: got?.attempts,
      possiblySent: got?.possiblySent,
      owned: got?.claimToken != null,
    }).toEqual({
      id: r.id,
      status: r.status,
      attempts: r.attempts,
      possiblySent: r.possiblySent,
      owned: r.claim !== null,
    });
  }
}

/**
 * A step of a schedule. Its target is picked when it runs, the `pick`-th of what is there to act on
 * then (an idle worker, a claimed message, a guarded one), so few generated steps go to waste; what
 * it did goes to the schedule's log.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a step without a label of its own resolves to nothing.
function step(name: string, check: (m: Model) => boolean, run: (m: Model, real: Real) => Promise<string | void>): Cmd {
  return {
    check,
    async run(m, real) {
      real.log.push(`${name} ← fails here`);
      real.log[real.log.length - 1] = (await run(m, real)) || name;
      await sameRows(m, real);
    },
    toString: () => name,
  };
}

/**
 * The workers free to claim (their claimed messages all guarded or dealt with: the next claim
 * overlaps the sends, as runOnce's does), the messages claimed and not yet guarded, those guarded and
 * not yet sent.
 */
const idle = (m: Model) => m.workers.flatMap((w, i) => (w.held.length === 0 ? [i] : []));
const held = (m: Model) => m.workers.flatMap((w, i) => w.held.map((e) => [i, e] as const));
const awaitingSend = (m: Model) => m.workers.flatMap((w, i) => w.guarded.map((e) => [i, e] as const));

const enqueue = (group: boolean) =>
  step(
    `enqueue(${group ? 'grouped' : 'alone'})`,
    (m) => m.rows.length < 4,
    async (m, real) => {
      const { id } = await real.q.enqueue(m.rows.length, group ? { groupKey: 'g' } : {});
      m.rows.push({ id, group, status: 'PENDING', attempts: 0, possiblySent: false, claim: null, leaseUntil: 0, deliveries: 0 });
      return `enqueue m${m.rows.length - 1}${group ? ' (grouped)' : ''}`;
    },
  );

const name = (m: Model, id: string) => `m${m.rows.findIndex((r) => r.id === id)}`;

const claim = (pick: number, limit: number) =>
  step(
    `claim(#${pick}, ${limit})`,
    (m) => idle(m).length > 0,
    async (m, real) => {
      const workers = idle(m);
      const w = workers[pick % workers.length]!;
      const allowed = m.rows.filter((r) => claimable(m, r));
      const got = (await real.q.claimBatch({ limit })).messages;
      // Which rows, when more are claimable than the limit, depends on their due times: any of them.
      expect(got.length).toBe(Math.min(limit, allowed.length));
      const claimNo = ++m.claims;
      for (const message of got) {
        const r = allowed.find((x) => x.id === message.id);
        expect(r, `claimed ${message.id}, which was not claimable`).toBeDefined();
        Object.assign(r!, { status: 'PROCESSING', claim: claimNo, leaseUntil: m.now + LEASE_MS, attempts: r!.attempts + 1 });
        m.workers[w]!.held.push({ id: message.id, claim: claimNo, message });
      }
      return `w${w} claims up to ${limit}: ${got.map((x) => name(m, x.id)).join(', ') || 'none'}`;
    },
  );

/** A step on a message some worker claimed and has not guarded yet. */
const onHeld = (verb: string, pick: number, run: (m: Model, real: Real, w: number, r: Row, e: Entry) => Promise<void>) =>
  step(
    `${verb}(#${pick})`,
    (m) => held(m).length > 0,
    async (m, real) => {
      const all = held(m);
      const [w, e] = all[pick % all.length]!;
      await run(m, real, w, row(m, e.id), e);
      return `w${w} ${verb} ${name(m, e.id)}`;
    },
  );

const guard = (pick: number) =>
  onHeld('guards', pick, async (m, real, w, r, e) => {
    const expected = r.status === 'PROCESSING' && owns(e, r) && r.leaseUntil - m.now >= MARGIN_MS;
    expect((await real.q.guardBeforeSend(e.message)).ok).toBe(expected);
    done(m, w, e);
    if (expected) {
      r.status = 'SENDING';
      m.workers[w]!.guarded.push(e);
    } // refused: not sent
  });

/** The send of a message a worker guarded — maybe long after, when its row moved on — and its ack or fail. */
const send = (pick: number, outcome: Outcome) =>
  step(
    `send(#${pick}, ${outcome})`,
    (m) => awaitingSend(m).length > 0,
    async (m, real) => {
      const all = awaitingSend(m);
      const [w, e] = all[pick % all.length]!;
      const { id, message } = e;
      const r = row(m, id);
      const mine = inFlight(r) && owns(e, r);
      done(m, w, e);
      if (outcome === 'delivered' || outcome === 'delivered-answer-lost') {
        // The provider's log, checked as it grows: P1 and P3 of docs/protocol.md.
        // P8: a cancelled message is delivered only by a send in doubt from before its cancel.
        if (r.status === 'CANCELLED') expect(r.possiblySent, `P8: ${id} delivered after its cancel`).toBe(true);
        if (m.mode === 'at-most-once') expect(r.deliveries, `P1: ${id} delivered twice`).toBe(0);
        else if (r.deliveries > 0)
          expect((await real.q.get(id))?.possiblySent, `P3: ${id} delivered again without possiblySent`).toBe(true);
        r.deliveries++;
      }
      if (outcome === 'delivered') {
        expect((await real.q.ack(message)).ok).toBe(mine);
        if (mine) Object.assign(r, { status: 'SENT', claim: null });
      } else {
        const maybeSent = outcome === 'delivered-answer-lost' || outcome === 'timed-out';
        const retryable = outcome !== 'permanent';
        const result = await real.q.fail(message, new Error(outcome), { maybeSent, retryable, delayMs: 0 });
        expect(result.ok).toBe(mine);
        if (mine) failed(m, r, maybeSent, retryable);
      }
      return `w${w} sends ${name(m, id)}: ${outcome}${mine ? '' : ` (stale claim, the row ${r.status}: refused)`}`;
    },
  );

const release = (pick: number) =>
  onHeld('releases', pick, async (m, real, w, r, e) => {
    const expected = r.status === 'PROCESSING' && owns(e, r);
    expect((await real.q.release(e.message)).ok).toBe(expected);
    if (expected) Object.assign(r, { status: 'PENDING', claim: null, attempts: r.attempts - 1 });
    done(m, w, e);
  });

const extend = (pick: number) =>
  onHeld('extends', pick, async (m, real, _w, r, e) => {
    const expected = inFlight(r) && owns(e, r);
    expect((await real.q.extendLease(e.message)).ok).toBe(expected);
    if (expected) r.leaseUntil = m.now + LEASE_MS;
  });

/** A worker's process dies: what it held is forgotten; its rows stay leased until they expire. */
const crash = (pick: number) =>
  step(
    `crash(#${pick})`,
    (m) => m.workers.some((w) => w.held.length + w.guarded.length > 0),
    async (m) => {
      const busy = m.workers.flatMap((w, i) => (w.held.length + w.guarded.length > 0 ? [i] : []));
      const w = busy[pick % busy.length]!;
      m.workers[w] = { held: [], guarded: [] };
      return `w${w} crashes`;
    },
  );

/** Time passes, in storage and in the model alike. */
async function passTime(m: Model, real: Real, ms: number): Promise<void> {
  await real.advance(ms);
  m.now += ms;
}

const advance = (ms: number) =>
  step(
    `advance(${ms / 1000} s)`,
    () => true,
    (m, real) => passTime(m, real, ms),
  );

/** recycleStuck, and what the model says it takes back, by outcome. */
async function recycled(m: Model, real: Real): Promise<void> {
  const expected = { released: [] as string[], releasedPossiblySent: [] as string[], held: [] as string[], failed: [] as string[] };
  for (const r of m.rows.filter((x) => inFlight(x) && x.leaseUntil < m.now)) {
    const maybeSent = r.status === 'SENDING';
    const to: [MessageStatus, keyof typeof expected] =
      maybeSent && m.mode === 'at-most-once'
        ? ['HELD', 'held']
        : r.attempts >= MAX_ATTEMPTS
          ? ['FAILED', 'failed']
          : maybeSent
            ? ['PENDING', 'releasedPossiblySent']
            : ['PENDING', 'released'];
    Object.assign(r, { status: to[0], possiblySent: r.possiblySent || maybeSent, claim: null });
    expected[to[1]].push(r.id);
  }
  const got = await real.q.recycleStuck();
  const byOutcome = (o: typeof expected) =>
    Object.fromEntries(Object.keys(expected).map((k) => [k, [...o[k as keyof typeof expected]].sort()]));
  expect(byOutcome(got)).toEqual(byOutcome(expected));
}

const recycle = step('recycleStuck', () => true, recycled);

/** A worker stalls (a GC pause, a frozen lambda) past every lease, and the recycler runs meanwhile. */
const stall = step(
  'stall past the lease, recycle',
  () => true,
  async (m, real) => {
    await passTime(m, real, STEPS_MS[2]);
    await recycled(m, real);
  },
);

/** A send some worker guarded and has not made yet: an operator cannot know it is coming. */
const pendingSend = (m: Model, id: string) => awaitingSend(m).some(([, e]) => e.id === id);

/** An operator who checks with the provider first, as the runbook says. */
const operator = (i: number) =>
  step(
    `operator(#${i})`,
    (m) => m.rows.length > i,
    async (m, real) => {
      const r = m.rows[i]!;
      const orphaned = inFlight(r) && !m.workers.some((w) => [...w.held, ...w.guarded].some((e) => e.claim === r.claim));
      if (r.status === 'HELD' && r.deliveries > 0) {
        expect((await real.q.markSent(r.id)).changed).toBe(1);
        Object.assign(r, { status: 'SENT', claim: null });
        return `operator: markSent m${i}`;
      } else if (
        (r.status === 'HELD' || r.status === 'FAILED') &&
        (m.mode === 'at-least-once' || (r.deliveries === 0 && !pendingSend(m, r.id)))
      ) {
        expect((await real.q.retry(r.id)).ok).toBe(true);
        Object.assign(r, { status: 'PENDING', attempts: 0, claim: null });
        return `operator: retry m${i}`;
      } else if (orphaned && !pendingSend(m, r.id)) {
        const sending = r.status === 'SENDING' ? (r.deliveries > 0 ? 'sent' : 'resend') : undefined;
        const done = await real.q.releaseStuck({ ids: [r.id], force: true, ...(sending ? { sending } : {}) });
        expect(done.changed).toBe(1);
        if (sending === 'sent') r.status = 'SENT';
        else Object.assign(r, { status: 'PENDING', possiblySent: r.possiblySent || sending === 'resend' });
        r.claim = null;
        return `operator: releaseStuck m${i}${sending ? ` (${sending})` : ''}`;
      }
    },
  );

/** An operator cancels a message: taken only while it is PENDING, refused by its status otherwise. */
const cancel = (i: number) =>
  step(
    `cancel(#${i})`,
    (m) => m.rows.length > i,
    async (m, real) => {
      const r = m.rows[i]!;
      const done = await real.q.cancel({ ids: [r.id], note: 'model' });
      if (r.status === 'PENDING') {
        expect(done.changed, `cancel of PENDING m${i}`).toBe(1);
        Object.assign(r, { status: 'CANCELLED', claim: null });
        return `operator: cancel m${i}`;
      }
      expect(done.changed).toBe(0);
      expect(done.refused.map((x) => x.status)).toEqual([r.status]);
      return `operator: cancel m${i} refused (${r.status})`;
    },
  );

const pick = fc.nat(5);
const claims = fc.tuple(pick, fc.integer({ min: 1, max: 2 })).map(([k, l]) => claim(k, l));
const guards = pick.map(guard);
const sends = fc.tuple(pick, fc.constantFrom(...OUTCOMES)).map(([k, o]) => send(k, o));
const advances = fc.constantFrom(...STEPS_MS).map(advance);
/** Weighted by repetition: the worker's steps, time and the recycler come up most, so schedules reach stale claims. */
const commands = fc.commands(
  [
    fc.boolean().map(enqueue),
    claims,
    claims,
    claims,
    claims,
    guards,
    guards,
    guards,
    sends,
    sends,
    sends,
    pick.map(release),
    pick.map(extend),
    pick.map(crash),
    advances,
    advances,
    fc.constant(recycle),
    fc.constant(stall),
    fc.constant(stall),
    fc.nat(3).map(operator),
    fc.nat(3).map(cancel),
  ],
  { maxCommands: 40, size: 'max' },
);

let runs = 0;

/**
 * Run one schedule on a queue of its own (named queues never see each other's rows). A failure
 * carries the schedule's log: what each step did, in words.
 */
async function runSchedule(f: Fixture, mode: DeliveryMode, groups: boolean[], steps: Iterable<Cmd>): Promise<void> {
  const q = f.queue<number>({
    name: `mb${++runs}`,
    deliveryMode: mode,
    leaseMs: LEASE_MS,
    guardMarginMs: MARGIN_MS,
    maxAttempts: MAX_ATTEMPTS,
  });
  const model: Model = { mode, now: 0, rows: [], claims: 0, workers: Array.from({ length: WORKERS }, () => ({ held: [], guarded: [] })) };
  const real: Real = { q, advance: (ms) => f.ctx.advance(ms), log: [] };
  try {
    for (const group of groups) await enqueue(group).run(model, real);
    await fc.asyncModelRun(() => ({ model, real }), steps);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${mode} schedule:\n  ${real.log.join('\n  ')}`, { cause: error });
  }
}

/**
 * Two runOnce ticks of two instances (`overlap: 'allow'`) drain one at-most-once queue side by
 * side, with fast-check's scheduler deciding the order in which the sends — each awaited by its
 * tick's claim, guard and ack — finish. Whatever the order: every message delivered exactly once
 * (P1, P2), never two of a group in flight, a group in enqueue order (P4), every row SENT.
 */
async function interleavedTicks(f: Fixture, sched: fc.Scheduler, groups: boolean[]): Promise<void> {
  const q = f.queue<number>({ name: `mb${++runs}`, deliveryMode: 'at-most-once', leaseMs: LEASE_MS, guardMarginMs: MARGIN_MS });
  const ids: string[] = [];
  for (const [i, group] of groups.entries()) ids.push((await q.enqueue(i, group ? { groupKey: 'g' } : {})).id);
  const delivered: number[] = [];
  const inFlight = new Set<number>();
  const send = sched.scheduleFunction(async function send(m: ClaimedMessage<number>) {
    const grouped = groups[m.payload]!;
    expect(
      grouped && [...inFlight].some((p) => p !== m.payload && groups[p]),
      `P4: two messages of the group in flight (m${m.payload})`,
    ).toBe(false);
    expect(delivered, `P1: m${m.payload} delivered twice`).not.toContain(m.payload);
    if (grouped)
      expect(
        delivered.filter((p) => groups[p]).every((p) => p < m.payload),
        `P4: m${m.payload} out of its group's order`,
      ).toBe(true);
    delivered.push(m.payload);
  });
  const tick = () =>
    q.runOnce({
      send: async (m) => {
        inFlight.add(m.payload);
        try {
          await send(m);
        } finally {
          inFlight.delete(m.payload);
        }
      },
      overlap: 'allow',
      concurrency: 2,
      limit: 2,
    });
  // Ticks until every message is sent: a tick may find the group's next message held by the other.
  const drain = async () => {
    for (let i = 0; i < 2 * groups.length + 2 && delivered.length < groups.length; i++) await tick();
  };
  await sched.waitFor(Promise.all([drain(), drain()]));
  expect([...delivered].sort((a, b) => a - b)).toEqual(groups.map((_, i) => i));
  for (const id of ids) expect((await q.get(id))?.status).toBe('SENT');
}

/**
 * Schedules a shrunk counterexample once printed, replayed on every run. Each failed on a
 * deliberately broken adapter (model/mutants.sh); on a correct one each must pass.
 */
export const MODEL_REGRESSIONS: { name: string; mode: DeliveryMode; groups: boolean[]; steps: () => Cmd[] }[] = [
  {
    name: "a stale ack: the worker's old claim, after the message was recycled and claimed again",
    mode: 'at-least-once',
    groups: [false],
    steps: () => [claim(0, 1), guard(0), stall, claim(0, 1), send(0, 'delivered')],
  },
  {
    name: 'at-most-once: a message whose lease ran out after its guard is HELD, never sent again',
    mode: 'at-most-once',
    groups: [false],
    steps: () => [claim(0, 1), guard(0), stall, claim(1, 1), send(0, 'delivered')],
  },
  {
    name: 'a claim of two never takes two messages of one group',
    mode: 'at-least-once',
    groups: [true, true],
    steps: () => [claim(0, 2), guard(0), send(0, 'delivered'), claim(0, 2)],
  },
];

/**
 * Random schedules against the reference model, `numRuns` per delivery mode: `MSGQUEUE_MODEL_RUNS`
 * overrides it, `MSGQUEUE_MODEL_SCALE` multiplies it (`pnpm test:deep`: 10).
 */
export function modelBasedSuite(f: Fixture, numRuns: number, scope: 'full' | 'client'): void {
  // A client over a proven engine runs a fifth of the schedules: its statements and values are what differ.
  const positive = (name: string, fallback: number) => {
    const value = Number(process.env[name] ?? fallback);
    if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${name} must be a positive number, got ${process.env[name]}`);
    return value;
  };
  const scale = positive('MSGQUEUE_MODEL_SCALE', 1);
  const n = Math.max(1, Math.round((positive('MSGQUEUE_MODEL_RUNS', numRuns) * scale) / (scope === 'client' ? 5 : 1)));
  describe('model-based: random schedules held against a reference model', () => {
    for (const mode of ['at-least-once', 'at-most-once'] as const) {
      it(`${mode}: ${n} schedules of claim, guard, send, ack/fail, release, extend, recycle, crash, time, operator`, async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }), commands, (groups, cmds) =>
            runSchedule(f, mode, groups, cmds),
          ),
          { numRuns: n },
        );
      }, 120_000);
    }
    f.engine(
      `interleavings: two ticks draining one queue side by side, ${Math.max(1, Math.round(n / 5))} schedules of their steps`,
      async () => {
        await fc.assert(
          fc.asyncProperty(fc.scheduler(), fc.array(fc.boolean(), { minLength: 2, maxLength: 5 }), (sched, groups) =>
            interleavedTicks(f, sched, groups),
          ),
          { numRuns: Math.max(1, Math.round(n / 5)) },
        );
      },
      120_000,
    );
    for (const r of MODEL_REGRESSIONS) {
      f.engine(`regression (${r.mode}): ${r.name}`, () => runSchedule(f, r.mode, r.groups, r.steps()));
    }
  });
}
