/**
 * The `msgqueue` command on PostgreSQL, SQLite and (with MARIADB_URL) MariaDB, over a table holding
 * the post-mortem's situations: a stuck claim, a send that died mid-way, a live claim, rows left in
 * flight by the hand-rolled code, failures, a held message. A dry run lists them and changes nothing;
 * --execute changes exactly what it listed. Run through the binary's own `main`, in this process (the
 * binary itself, in its process: bin.e2e.test.ts).
 */
import type { DiagnoseReport, OperatorResult } from '@org/msgqueue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, runCli, type Seeded, seed, type TestDatabase } from './support.js';

describe.each(['postgresql', 'sqlite', 'mysql'] as const)('msgqueue CLI on %s', (dialect) => {
  let t: TestDatabase | null;
  let s: Seeded;
  const run = (...args: string[]) => runCli(['--database-url', t!.url, ...args]);
  const json = async <T>(...args: string[]) => {
    const r = await run(...args, '--json');
    return { ...r, body: JSON.parse(r.stdout) as T };
  };

  beforeAll(async () => {
    t = await openDatabase(dialect);
  });
  afterAll(() => t?.close());
  beforeEach(async (ctx) => {
    if (!t) ctx.skip('MARIADB_URL is not set: MariaDB is not tested on this run');
    s = await seed(t!);
  });

  it('diagnose: a table of what is stuck, failed and held; exit 1 on an alert; --json agrees with the table', async () => {
    const text = await run('diagnose');
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/NEEDS ATTENTION/);
    expect(text.stdout).toMatch(/ORPHANED_IN_FLIGHT/);
    expect(text.stdout).toContain(s.orphan);
    const { code, body } = await json<{ healthy: boolean; reports: DiagnoseReport[] }>('diagnose');
    expect(code).toBe(1);
    expect(body.healthy).toBe(false);
    expect(body.reports[0]!.counts).toEqual({ PENDING: 1, PROCESSING: 3, SENDING: 1, SENT: 1, FAILED: 2, HELD: 1, CANCELLED: 0 });
    expect(body.reports[0]!.findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['IN_FLIGHT_TOO_LONG', 'ORPHANED_IN_FLIGHT', 'HELD_FOR_REVIEW']),
    );
    // Thresholds as flags: two failures are above a threshold of 1.
    const strict = await json<{ reports: DiagnoseReport[] }>('diagnose', '--failed-threshold', '1', '--in-flight', '2h');
    expect(strict.body.reports[0]!.thresholds).toMatchObject({ failedThreshold: 1, inFlightMs: 7_200_000 });
    expect(strict.body.reports[0]!.findings.map((f) => f.code)).toContain('FAILED_ABOVE_THRESHOLD');
  });

  it('release-stuck: the dry run lists each row and what would happen, changing nothing; --execute changes exactly those', async () => {
    const before = await t!.snapshot();
    const dry = await run('release-stuck');
    expect(dry.stdout).toContain('dry run: nothing changed');
    expect(dry.stdout).toContain(s.stuck);
    expect(dry.stdout).toMatch(/lease-live.*--force/);
    expect(dry.stdout).toMatch(/sending-needs-decision.*--sending resend\|hold\|sent/);
    expect(await t!.snapshot()).toEqual(before);
    const plan = (await json<OperatorResult>('release-stuck')).body;
    expect(plan.rows.map((r) => [r.id, r.status, r.to])).toEqual([[s.stuck, 'PROCESSING', 'PENDING']]);
    expect(plan.refused.map((r) => [r.id, r.reason]).sort()).toEqual(
      [
        [s.live, 'lease-live'],
        [s.orphan, 'sending-needs-decision'],
        [s.sendingExpired, 'sending-needs-decision'],
      ].sort(),
    );
    expect(await t!.snapshot()).toEqual(before);

    const done = await json<OperatorResult>('release-stuck', '--execute');
    expect(done.code).toBe(1); // some were left alone
    expect(done.body).toMatchObject({ dryRun: false, changed: 1, skipped: [] });
    const after = await t!.snapshot();
    const changed = after.filter((row, i) => row !== before[i]).map((row) => JSON.parse(row).id);
    expect(changed).toEqual([s.stuck]);
    expect(await t!.queue().get(s.stuck)).toMatchObject({ status: 'PENDING', claimToken: null });

    // The rows that may have been sent, with a decision: resend the orphan, hold the SENDING one.
    expect((await json<OperatorResult>('release-stuck', '--ids', s.orphan, '--sending', 'resend', '--execute')).body.changed).toBe(1);
    expect(await t!.queue().get(s.orphan)).toMatchObject({ status: 'PENDING', possiblySent: true });
    expect((await json<OperatorResult>('release-stuck', '--ids', s.sendingExpired, '--sending', 'hold', '--execute')).body.changed).toBe(1);
    expect((await t!.queue().get(s.sendingExpired))?.status).toBe('HELD');
  });

  it('release-stuck --force takes a live claim, and the worker that owned it is refused when it acks', async () => {
    const dry = await json<OperatorResult>('release-stuck', '--ids', s.live, '--force');
    expect(dry.body.rows.map((r) => r.id)).toEqual([s.live]);
    expect(dry.body.rows[0]!.leaseLeftMs).toBeGreaterThan(0);
    const done = await json<OperatorResult>('release-stuck', '--ids', s.live, '--force', '--execute');
    expect(done).toMatchObject({ code: 0, body: { changed: 1 } });
    const q = t!.queue();
    expect(await q.guardBeforeSend(s.worker)).toMatchObject({ ok: false, reason: 'stale-claim' });
    expect(await q.ack(s.worker)).toMatchObject({ ok: false, reason: 'stale-claim' });
    expect((await q.get(s.live))?.status).toBe('PENDING');
  });

  it('retry, mark-sent and purge: each a dry run first, then exactly its plan', async () => {
    const before = await t!.snapshot();
    const dry = await json<OperatorResult>('retry', '--error-contains', 'timeout');
    expect(dry.body.rows.map((r) => r.id)).toEqual([s.failedTimeout]);
    expect(await t!.snapshot()).toEqual(before);
    expect((await json<OperatorResult>('retry', '--error-contains', 'timeout', '--execute')).body.changed).toBe(1);
    expect(await t!.queue().get(s.failedTimeout)).toMatchObject({ status: 'PENDING', attempts: 0 });
    expect((await t!.queue().get(s.failedInvalid))?.status).toBe('FAILED');

    const mark = await run('mark-sent', s.held, s.failedInvalid);
    expect(mark.code).toBe(1); // the FAILED one is refused without --allow-failed
    expect(mark.stdout).toMatch(/--allow-failed/);
    expect((await json<OperatorResult>('mark-sent', s.held, '--execute')).body.changed).toBe(1);
    expect((await t!.queue().get(s.held))?.status).toBe('SENT');

    const purge = await json<OperatorResult>('purge', '--older-than', '7d');
    expect(purge.body.rows.map((r) => r.id)).toEqual([s.oldSent]);
    expect((await json<OperatorResult>('purge', '--older-than', '7d', '--execute')).body.changed).toBe(1);
    expect(await t!.queue().get(s.oldSent)).toBeNull();
    expect(await t!.queue().get(s.held)).not.toBeNull(); // SENT a moment ago: kept
  });

  it('never reports on a queue it did not look at: every queue by default, an unknown --queue is an error listing them', async () => {
    await t!.reset();
    // getting-started's queue is named `outbox`: a held message there is an alert, not "healthy".
    const outbox = t!.queue({ name: 'outbox', deliveryMode: 'at-most-once' });
    await outbox.enqueue({ n: 1 });
    const [m] = (await outbox.claimBatch({ limit: 1 })).messages;
    await outbox.guardBeforeSend(m!);
    await t!.age(m!.id, 20 * 60_000);
    await outbox.recycleStuck(); // at-most-once: expired in SENDING → HELD
    const alone = await json<{ healthy: boolean; reports: DiagnoseReport[] }>('diagnose');
    expect(alone.code).toBe(1);
    expect(alone.body.reports.map((r) => [r.queue, r.counts.HELD])).toEqual([['outbox', 1]]);
    const text = await run('diagnose');
    expect(text.stdout).toMatch(/msgqueue --queue outbox mark-sent <ids> --execute/);
    expect(text.stdout).not.toMatch(/queue\.markSent/);

    await t!.queue({ name: 'sms' }).enqueue({ n: 2 });
    const both = await json<{ reports: DiagnoseReport[] }>('diagnose');
    expect(both.body.reports.map((r) => r.queue).sort()).toEqual(['outbox', 'sms']);

    for (const args of [
      ['--queue', 'outbx', 'diagnose'],
      ['--queue', 'nope', 'release-stuck', '--older-than', '0s', '--execute'],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/no queue named "(outbx|nope)".*the queues there: outbox, sms/);
      expect(r.stdout).toBe('');
    }
    const several = await run('retry', '--status', 'HELD', '--execute');
    expect(several.code).toBe(2);
    expect(several.stderr).toMatch(/several queues \(outbox, sms\): pick one with --queue/);
    expect((await run('--queue', 'outbox', 'retry', '--status', 'HELD', '--execute')).code).toBe(0);
  });

  it('pause, pause --for, gates and resume: every process stops claiming, diagnose says so and how to undo it', async () => {
    const paused = await run('pause', '--note', 'provider incident');
    expect(paused).toMatchObject({ code: 0, stdout: 'queue default: paused (provider incident)\n' });
    expect((await t!.queue().claimBatch({ limit: 10 })).messages).toEqual([]); // another client, another process
    expect((await run('pause', '--for', '5m', '--key', 'conv:9', '--note', '429')).stdout).toMatch(
      /^group conv:9 of queue default: paused until .* \(429\)\n$/,
    );
    const listed = await run('gates');
    expect(listed.stdout).toMatch(/\(the queue\)\s*│\s*yes/);
    expect(listed.stdout).toMatch(/conv:9\s*│\s*no\s*│\s*(5m|4m|5min|300s|29\ds)/);
    const report = await json<{ reports: DiagnoseReport[] }>('diagnose');
    expect(report.body.reports[0]!.gates.map((g) => g.key)).toEqual([null, 'conv:9']);
    expect(report.body.reports[0]!.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['QUEUE_PAUSED', 'GROUPS_GATED']));
    expect((await run('diagnose')).stdout).toMatch(/QUEUE_PAUSED[\s\S]*msgqueue resume/);
    expect((await run('resume')).stdout).toBe('queue default: open (provider incident)\n');
    expect((await t!.queue().claimBatch({ limit: 1 })).messages).toHaveLength(1);
    const json2 = await json<{ queue: string; gates: { key: string | null }[] }[]>('gates');
    expect(json2.body).toEqual([expect.objectContaining({ queue: 'default', gates: [expect.objectContaining({ key: 'conv:9' })] })]);
    expect((await run('pause', '--for', 'soon')).code).toBe(2);
    expect((await run('resume', '--key', 'conv:9')).stdout).toBe('group conv:9 of queue default: open (429)\n');
    expect((await json<{ gates: unknown[] }[]>('gates')).body[0]!.gates).toEqual([]);
  });

  it('cancel: PENDING messages of a group, a dry run first, then exactly its plan; an id not PENDING refused', async () => {
    const q = t!.queue();
    const ids = (await q.enqueueMany([1, 2].map((n) => ({ payload: { n }, groupKey: 'conversation:42' })))).map((r) => r.id);
    const before = await t!.snapshot();
    const dry = await json<OperatorResult>('cancel', '--group', 'conversation:42', '--note', 'conversation closed');
    expect(dry.body.rows.map((r) => [r.id, r.status, r.to]).sort()).toEqual(ids.map((id) => [id, 'PENDING', 'CANCELLED']).sort());
    expect(await t!.snapshot()).toEqual(before);
    const done = await json<OperatorResult>('cancel', '--group', 'conversation:42', '--note', 'conversation closed', '--execute');
    expect(done.body.changed).toBe(2);
    for (const id of ids) expect(await q.get(id)).toMatchObject({ status: 'CANCELLED', lastError: 'cancelled: conversation closed' });
    const refused = await run('cancel', '--ids', s.held, '--execute');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/HELD/);
    expect((await q.get(s.held))?.status).toBe('HELD');
    const report = await json<{ reports: DiagnoseReport[] }>('diagnose');
    expect(report.body.reports[0]!.counts.CANCELLED).toBe(2);
  });

  it('refuses bad input with one line and exit 2, changing nothing', async () => {
    const before = await t!.snapshot();
    const cases: [string[], RegExp][] = [[['--table', 'no_such_table', 'release-stuck', '--execute'], /no_such_table.*pass --table/]];
    // The flags are parsed before any database is touched: checked once, on PostgreSQL.
    if (dialect === 'postgresql') {
      cases.push(
        [['diagnose', '--frobnicate'], /unknown option '--frobnicate'/],
        [['diagnose', '--failed-threshold', '-3'], /--failed-threshold/],
        [['diagnose', '--in-flight', '5 minutes'], /--in-flight: expected a duration/],
        [['release-stuck', '--sending', 'maybe', '--execute'], /--sending|argument 'maybe' is invalid/],
        [['retry', '--status', 'PENDING', '--execute'], /--status/],
        [['purge', '--execute'], /--older-than is required/],
        [['purge', '--older-than', '-1d', '--execute'], /--older-than/],
        [['cancel', '--execute'], /cancel: say which PENDING messages/],
        [['launch'], /unknown command 'launch'/],
      );
    }
    for (const [args, message] of cases) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      // It names what the user installed and the flags they can pass, never our internals.
      expect(r.stderr, args.join(' ')).not.toMatch(/kysely|options\./i);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout).toBe('');
    }
    expect(await t!.snapshot()).toEqual(before);
  });
});
