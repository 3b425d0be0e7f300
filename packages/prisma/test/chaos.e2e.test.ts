/**
 * The short seeded chaos run (about a minute for both delivery modes) on PostgreSQL, and the
 * history checker on histories made up to break each rule.
 */

import { postgresUrl, runTs } from '@org/msgqueue-test-support';
import { describe, expect, it } from 'vitest';
import { type CheckInput, type CheckReport, check, type Delivery } from '../chaos/checker.js';

describe('chaos: short seeded run on PostgreSQL', () => {
  it('loses nothing, duplicates only where a fault made a delivery ambiguous, keeps group order, and fencing refuses stale claims — under a rate limit and a pause', async () => {
    const reports = await runChaos(['--duration', '25s', '--seed', '42', '--mode', 'both', '--rate-limit', '30', '--pauses', '--json']);
    expect(reports.map((r) => r.mode)).toEqual(['at-least-once', 'at-most-once']);
    for (const r of reports) {
      expect(r.failures, `${r.mode}: ${r.failures.join('; ')}`).toEqual([]);
      expect(r.lost).toEqual([]);
      expect(r.nonTerminal).toEqual([]);
      expect(r.duplicates.unexplained).toEqual([]);
      expect(r.groups).toEqual({ outOfOrder: [], overlapping: [] });
      expect(r.diagnoseMatches).toBe(true);
      expect(r.pausedMidSend).not.toBeNull(); // and refused: see failures
      expect(Object.keys(r.faults).sort()).toEqual(['drop', 'error', 'kill', 'slow', 'stop', 'terminate']);
      // The provider never saw more than 30 in a second (sends that outlived their lease aside), and
      // nothing was claimed while the queue was paused.
      expect(r.rateLimit).toMatchObject({ max: 30, perMs: 1000 });
      expect(r.rateLimit!.busiest).toBeLessThanOrEqual(30);
      expect(r.pauses.windows).toHaveLength(1);
      expect(r.pauses.behind).toEqual([]);
    }
    expect(reports[1]!.duplicates.total).toBe(0); // at-most-once
  }, 240_000);
});

describe('chaos: the history checker', () => {
  const d = (id: string, at: number, extra: Partial<Delivery> = {}): Delivery => ({
    id,
    token: `t-${id}-${at}`,
    key: `k-${id}`,
    g: -1,
    n: 0,
    worker: 'w0:1',
    receivedAt: at,
    acceptedAt: at,
    fault: null,
    ...extra,
  });
  const base = (over: Partial<CheckInput> = {}): CheckInput => ({
    mode: 'at-least-once',
    leaseMs: 2_000,
    enqueued: [
      { id: 'a', g: -1, n: 0 },
      { id: 'b', g: -1, n: 0 },
    ],
    rows: [
      { id: 'a', status: 'SENT' },
      { id: 'b', status: 'SENT' },
    ],
    deliveries: [d('a', 100), d('b', 200)],
    faults: [],
    staleClaims: [{ worker: 'w0:1', id: 'a' }],
    pausedMidSend: { worker: 'w0:1', id: 'a' },
    pauseFailure: null,
    ambiguousSends: new Set(),
    diagnoseCounts: { SENT: 2 },
    ...over,
  });

  it('passes a clean history', () => {
    expect(check(base()).failures).toEqual([]);
  });

  it('fails a run whose certain pause did not happen, naming why', () => {
    const r = check(base({ pausedMidSend: null, pauseFailure: 'no send reached the provider within 30 s' }));
    expect(r.failures).toEqual(['no worker was paused mid-send past its lease: no send reached the provider within 30 s']);
  });

  it('finds a lost message, an unexpected delivery and a SENT row never delivered', () => {
    const r = check(base({ deliveries: [d('a', 100), d('zzz', 300)] }));
    expect(r.lost).toEqual(['b']); // marked SENT, never reached the provider: lost all the same
    expect(r.sentWithoutDelivery).toEqual(['b']);
    expect(r.unexpected).toBe(1);
    const lost = check(
      base({
        rows: [
          { id: 'a', status: 'SENT' },
          { id: 'b', status: 'PENDING' },
        ],
        deliveries: [d('a', 100)],
        diagnoseCounts: { SENT: 1, PENDING: 1 },
      }),
    );
    expect(lost.lost).toEqual(['b']);
    expect(lost.nonTerminal).toEqual(['b:PENDING']);
  });

  it('explains a duplicate only by a fault on the delivering worker near the delivery, or by the provider', () => {
    const dup = [d('a', 100), d('a', 3_000), d('b', 200)];
    expect(check(base({ deliveries: dup })).duplicates.unexplained).toHaveLength(1);
    const killed = check(base({ deliveries: dup, faults: [{ kind: 'kill', target: 'w0:1', start: 150, end: 150 }] }));
    expect(killed.duplicates).toEqual({ total: 1, byCause: { kill: 1 }, unexplained: [] });
    const otherWorker = check(base({ deliveries: dup, faults: [{ kind: 'kill', target: 'w9:9', start: 150, end: 150 }] }));
    expect(otherWorker.duplicates.unexplained).toHaveLength(1);
    const dropped = check(base({ deliveries: [d('a', 100, { fault: 'drop' }), d('a', 900), d('b', 200)] }));
    expect(dropped.duplicates.byCause).toEqual({ drop: 1 });
    // A slow delivery accepted after its own resend still explains the pair.
    const slowLast = check(base({ deliveries: [d('a', 100), d('a', 900, { fault: 'slow', receivedAt: 0 }), d('b', 200)] }));
    expect(slowLast.duplicates).toEqual({ total: 1, byCause: { slow: 1 }, unexplained: [] });
    // The worker itself saw that send end without an answer.
    const timedOut = check(base({ deliveries: dup, ambiguousSends: new Set([dup[0]!.token]) }));
    expect(timedOut.duplicates.byCause).toEqual({ 'client-timeout': 1 });
    // Three deliveries need two ambiguous ones.
    const three = check(base({ deliveries: [d('a', 100, { fault: 'drop' }), d('a', 900), d('a', 5_000), d('b', 200)] }));
    expect(three.duplicates.total).toBe(2);
    expect(three.duplicates.unexplained).toHaveLength(1);
    expect(check(base({ mode: 'at-most-once', deliveries: [d('a', 100, { fault: 'drop' }), d('a', 900), d('b', 200)] })).pass).toBe(false);
  });

  it('flags a resend under another idempotency key, broken group order, overlap, no fencing, and diagnose disagreeing', () => {
    const g = (id: string, n: number, at: number, until = at) => d(id, at, { g: 1, n, receivedAt: at, acceptedAt: until });
    const r = check(
      base({
        enqueued: [
          { id: 'a', g: 1, n: 0 },
          { id: 'b', g: 1, n: 1 },
        ],
        deliveries: [g('b', 1, 100), g('a', 0, 150, 400), d('a', 500, { g: 1, key: 'other', receivedAt: 300 })],
        faults: [{ kind: 'stop', target: 'w0:1', start: 160, end: 3_000 }],
        staleClaims: [{ worker: 'w1:2', id: 'a' }],
        diagnoseCounts: { SENT: 1 },
      }),
    );
    expect(r.keyMismatch).toEqual(['a']);
    expect(r.groups.outOfOrder).toEqual(['group 1: 1,0']);
    expect(r.groups.overlapping.length).toBeGreaterThan(0);
    expect(r.failures).toEqual(
      expect.arrayContaining([expect.stringMatching(/was not refused as a stale claim/), expect.stringMatching(/diagnose/)]),
    );
  });
});

describe('chaos: the rate-limit and pause checks', () => {
  const d = (id: string, at: number, worker = 'w0:1'): Delivery => ({
    id,
    token: `t-${id}`,
    key: `k-${id}`,
    g: -1,
    n: 0,
    worker,
    receivedAt: at,
    acceptedAt: at,
    fault: null,
  });
  const input = (deliveries: Delivery[], over: Partial<CheckInput> = {}): CheckInput => ({
    mode: 'at-least-once',
    leaseMs: 2_000,
    enqueued: deliveries.map((x) => ({ id: x.id, g: -1, n: 0 })),
    rows: deliveries.map((x) => ({ id: x.id, status: 'SENT' })),
    deliveries,
    faults: [],
    staleClaims: [{ worker: 'w0:1', id: 'm0' }],
    pausedMidSend: { worker: 'w0:1', id: 'm0' },
    pauseFailure: null,
    ambiguousSends: new Set(),
    diagnoseCounts: { SENT: deliveries.length },
    ...over,
  });
  const burst = (n: number, from: number, worker?: string) => Array.from({ length: n }, (_, i) => d(`m${from + i}`, from + i * 10, worker));

  it('three within a second under a limit of two fails; two passes', () => {
    const limit = { rateLimit: { max: 2, perMs: 1000 } };
    expect(check(input([...burst(2, 0), ...burst(2, 1000)], limit))).toMatchObject({ pass: true, rateLimit: { busiest: 2 } });
    const over = check(input(burst(3, 0), limit));
    expect(over.rateLimit).toMatchObject({ busiest: 3, busiestAll: 3, excused: 0 });
    expect(over.failures).toEqual([expect.stringMatching(/3 deliveries within 1000 ms, over the limit of 2/)]);
  });

  it("a stopped worker's late arrival is set aside, and counted in busiestAll", () => {
    const late = d('late', 2_500, 'w1:2');
    const r = check(
      input([...burst(2, 2_000), late], {
        rateLimit: { max: 2, perMs: 1000 },
        faults: [{ kind: 'stop', target: 'w1:2', start: 0, end: 1_000 }],
      }),
    );
    expect(r.rateLimit).toMatchObject({ busiest: 2, busiestAll: 3, excused: 1 });
    expect(r.pass).toBe(true);
  });

  it('a delivery that arrives a lease after a pause began, before its resume, was claimed behind the gate', () => {
    const pauses = [{ start: 10_000, end: 15_000 }];
    expect(check(input([d('m0', 11_000), d('m1', 15_500)], { pauses })).pass).toBe(true); // in flight at the pause; after the resume
    const r = check(input([d('m0', 12_500)], { pauses }));
    expect(r.pauses.behind).toEqual(['m0@12500']);
    expect(r.failures).toEqual([expect.stringMatching(/1 deliveries claimed while the queue was paused/)]);
  });
});

async function runChaos(args: string[]): Promise<CheckReport[]> {
  const out = await runTs(new URL('../chaos/run.ts', import.meta.url), args, {
    cwd: new URL('..', import.meta.url).pathname,
    env: { ...process.env, DATABASE_URL: postgresUrl() },
    allowFailure: true,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as CheckReport[];
}
