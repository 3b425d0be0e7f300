import type { Queue } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

const HOUR = 60 * MINUTE;

/** A message failed for good with `error`. */
async function failed(q: Queue, payload: unknown, error: string): Promise<string> {
  const { id } = await q.enqueue(payload);
  const m = (await q.claimBatch({ limit: 1 })).messages.find((x) => x.id === id)!;
  await q.fail(m, new Error(error), { retryable: false });
  return id;
}

/** A message HELD for review (at-most-once, expired after the guard). */
async function held(f: Fixture): Promise<string> {
  const q = f.queue({ deliveryMode: 'at-most-once' });
  const { id } = await q.enqueue({ held: true });
  const m = (await q.claimBatch({ limit: 1 })).messages[0]!;
  await q.guardBeforeSend(m);
  await f.ctx.advance(11 * MINUTE);
  await q.recycleStuck();
  return id;
}

/** The operator's actions: bulk retry, mark sent, release stuck, purge — each previewable, each fenced. */
export function operatorSuite(f: Fixture): void {
  describe('operator actions', () => {
    it('retryMany: FAILED messages by error text and age; the dry run lists exactly what the run then changes', async () => {
      const q = f.queue();
      const timeout = await failed(q, { n: 1 }, 'provider timeout after 30 s');
      await f.ctx.advance(2 * HOUR);
      const recent = await failed(q, { n: 2 }, 'provider timeout after 30 s');
      const other = await failed(q, { n: 3 }, 'invalid number');
      const before = await Promise.all([timeout, recent, other].map((id) => q.get(id)));

      const preview = await q.retryMany({ errorContains: 'timeout', dryRun: true });
      expect(preview).toMatchObject({ action: 'retry', dryRun: true, changed: 0, more: false });
      expect(preview.rows.map((r) => [r.id, r.status, r.to])).toEqual([
        [timeout, 'FAILED', 'PENDING'],
        [recent, 'FAILED', 'PENDING'],
      ]);
      expect(preview.rows[0]!.ageMs).toBeGreaterThanOrEqual(2 * HOUR);
      expect(await Promise.all([timeout, recent, other].map((id) => q.get(id)))).toEqual(before);

      const older = await q.retryMany({ errorContains: 'timeout', olderThanMs: HOUR, dryRun: true });
      expect(older.rows.map((r) => r.id)).toEqual([timeout]);
      expect(await q.retryMany({ errorContains: 'TIMEOUT', dryRun: true })).toMatchObject({ rows: [] }); // case-sensitive

      const done = await q.retryMany({ errorContains: 'timeout' });
      expect(done).toMatchObject({ dryRun: false, changed: 2, skipped: [] });
      expect(done.rows.map((r) => r.id)).toEqual(preview.rows.map((r) => r.id));
      for (const id of [timeout, recent]) expect(await q.get(id)).toMatchObject({ status: 'PENDING', attempts: 0, claimToken: null });
      expect((await q.get(other))?.status).toBe('FAILED');
      expect((await q.claimBatch({ limit: 10 })).messages.map((m) => m.id).sort()).toEqual([timeout, recent].sort());
    });

    f.engine('retryMany takes HELD messages only when asked, and only its own queue’s', async () => {
      const heldId = await held(f);
      const q = f.queue();
      const sms = f.queue({ name: 'sms' });
      const mine = await failed(q, {}, 'boom');
      const theirs = await failed(sms, {}, 'boom');
      expect((await q.retryMany({ dryRun: true })).rows.map((r) => r.id)).toEqual([mine]);
      expect((await q.retryMany({ status: 'HELD', dryRun: true })).rows.map((r) => r.id)).toEqual([heldId]);
      expect((await q.retryMany({ status: ['FAILED', 'HELD'] })).changed).toBe(2);
      expect((await sms.get(theirs))?.status).toBe('FAILED');
      expect((await q.retryMany({ limit: 1, status: 'FAILED' })).changed).toBe(0);
    });

    it('a plan applies only to rows still as it read them: a row that went round meanwhile is skipped', async () => {
      const q = f.queue();
      const id = await failed(q, {}, 'boom');
      // It failed a while ago (on a database, time moves by backdating rows: the plan must be read after).
      await f.ctx.advance(1_000);
      const { rows } = await f.ctx.adapter.find({ queue: 'default', statuses: ['FAILED'], limit: 10 });
      expect(rows.map((r) => r.id)).toEqual([id]);
      const plan = rows.map((r) => ({
        id: r.id,
        status: r.status,
        claimToken: r.claimToken,
        attempts: r.attempts,
        updatedAt: r.updatedAt,
      }));
      // While the operator reads the dry run, someone else retries the message…
      await q.retry(id);
      await q.fail((await q.claimBatch()).messages[0]!, new Error('boom'), { retryable: false });
      // …and it is FAILED again, with the same attempts and no token: only its last change differs.
      expect(await q.get(id)).toMatchObject({ status: 'FAILED', attempts: 1, claimToken: null });
      const change = { to: 'PENDING' as const, resetAttempts: true, possiblySent: false, note: null };
      expect(await f.ctx.adapter.operate({ queue: 'default', items: plan, ...change })).toEqual([false]);
      expect((await q.get(id))?.status).toBe('FAILED');
      // The same row as it is now: applied. And another queue's name never matches it.
      const fresh = (await f.ctx.adapter.find({ queue: 'default', statuses: ['FAILED'], limit: 10 })).rows[0]!;
      const item = { id, status: fresh.status, claimToken: null, attempts: fresh.attempts, updatedAt: fresh.updatedAt };
      expect(await f.ctx.adapter.operate({ queue: 'other', items: [item], ...change })).toEqual([false]);
      expect(await f.ctx.adapter.operate({ queue: 'default', items: [item], ...change })).toEqual([true]);
      expect((await q.get(id))?.status).toBe('PENDING');
    });

    it('markSent: HELD → SENT; FAILED only with allowFailed; other statuses and unknown ids refused by id', async () => {
      const heldId = await held(f);
      const q = f.queue();
      const failedId = await failed(q, {}, 'provider said 500');
      const { id: pending } = await q.enqueue({});
      const preview = await q.markSent([heldId, failedId, pending, 'no-such-id'], { dryRun: true });
      expect(preview.rows.map((r) => [r.id, r.status, r.to, r.reachedSending])).toEqual([[heldId, 'HELD', 'SENT', true]]);
      expect(preview.refused.map((r) => [r.id, r.reason])).toEqual([
        [failedId, 'wrong-status'],
        [pending, 'wrong-status'],
        ['no-such-id', 'not-found'],
      ]);
      expect((await q.get(heldId))?.status).toBe('HELD');
      expect((await q.markSent(heldId)).changed).toBe(1);
      expect((await q.get(heldId))?.status).toBe('SENT');
      expect((await q.markSent(failedId, { allowFailed: true })).changed).toBe(1);
      expect(await q.get(failedId)).toMatchObject({ status: 'SENT', claimToken: null });
      expect((await q.diagnose()).heldForReview).toBe(0);
    });

    it('releaseStuck: an expired claim back to PENDING; a live one only with force, fencing its worker out', async () => {
      const q = f.queue();
      await q.enqueueMany([{ payload: { n: 1 } }, { payload: { n: 2 } }]);
      const [old] = (await q.claimBatch({ limit: 1 })).messages;
      await f.ctx.advance(11 * MINUTE); // old's lease expired
      const [live] = (await q.claimBatch({ limit: 1 })).messages;
      await f.ctx.advance(2 * MINUTE);

      const plan = await q.releaseStuck({ olderThanMs: MINUTE, dryRun: true });
      expect(plan.rows.map((r) => [r.id, r.status, r.to])).toEqual([[old!.id, 'PROCESSING', 'PENDING']]);
      expect(plan.rows[0]!.leaseLeftMs).toBeLessThan(0);
      expect(plan.refused).toEqual([expect.objectContaining({ id: live!.id, reason: 'lease-live' })]);
      expect((await q.get(live!.id))?.status).toBe('PROCESSING');

      const forced = await q.releaseStuck({ ids: [live!.id], force: true });
      expect(forced).toMatchObject({ changed: 1, refused: [] });
      expect(await q.get(live!.id)).toMatchObject({ status: 'PENDING', claimToken: null, attempts: 1 });
      // The worker that owned it is not dead after all: fenced out.
      expect(await q.guardBeforeSend(live!)).toMatchObject({ ok: false, reason: 'stale-claim' });
      expect(await q.ack(live!)).toMatchObject({ ok: false, reason: 'stale-claim' });
      expect((await q.releaseStuck({ ids: [old!.id] })).changed).toBe(1);
    });

    f.engine('releaseStuck refuses SENDING messages unless told what to do with them: resend, hold or sent', async () => {
      const q = f.queue();
      await q.enqueueMany([1, 2, 3, 4].map((n) => ({ payload: { n } })));
      const ms = (await q.claimBatch({ limit: 4 })).messages;
      for (const m of ms) await q.guardBeforeSend(m);
      const ids = ms.map((m) => m.id);
      const undecided = await q.releaseStuck({ ids, force: true, dryRun: true });
      expect(undecided.rows).toEqual([]);
      expect(undecided.refused.map((r) => r.reason)).toEqual([
        'sending-needs-decision',
        'sending-needs-decision',
        'sending-needs-decision',
        'sending-needs-decision',
      ]);
      expect((await q.releaseStuck({ ids: [ids[0]!], force: true, sending: 'resend' })).changed).toBe(1);
      expect(await q.get(ids[0]!)).toMatchObject({ status: 'PENDING', possiblySent: true });
      expect((await q.releaseStuck({ ids: [ids[1]!], force: true, sending: 'hold' })).changed).toBe(1);
      expect(await q.get(ids[1]!)).toMatchObject({ status: 'HELD', possiblySent: true });
      expect((await q.releaseStuck({ ids: [ids[2]!], force: true, sending: 'sent' })).changed).toBe(1);
      expect((await q.get(ids[2]!))?.status).toBe('SENT');
      expect(await q.ack(ms[3]!)).toMatchObject({ ok: true });
      expect((await q.releaseStuck({ ids: [ids[3]!], force: true, sending: 'resend' })).refused).toEqual([
        expect.objectContaining({ id: ids[3], reason: 'wrong-status' }),
      ]);
    });

    it('cancel by ids: PENDING and delayed messages become CANCELLED and are never sent; others refused by id, with why', async () => {
      const q = f.queue<{ n: number }>();
      const sent = (await q.enqueue({ n: 3 })).id;
      const [toSend] = (await q.claimBatch({ limit: 1 })).messages;
      await q.guardBeforeSend(toSend!);
      await q.ack(toSend!);
      const inFlight = (await q.enqueue({ n: 4 })).id;
      const [sending] = (await q.claimBatch({ limit: 1 })).messages;
      await q.guardBeforeSend(sending!);
      const due = (await q.enqueue({ n: 1 })).id;
      const later = (await q.enqueue({ n: 2 }, { delayMs: HOUR })).id;
      expect([toSend!.id, sending!.id]).toEqual([sent, inFlight]);
      const before = await Promise.all([due, later].map((id) => q.get(id)));

      const preview = await q.cancel({ ids: [due, later, sent, inFlight, 'no-such-id'], note: 'customer unsubscribed', dryRun: true });
      expect(preview).toMatchObject({ action: 'cancel', dryRun: true, changed: 0 });
      expect(preview.rows.map((r) => [r.id, r.status, r.to]).sort()).toEqual(
        [
          [due, 'PENDING', 'CANCELLED'],
          [later, 'PENDING', 'CANCELLED'],
        ].sort(),
      );
      expect(preview.refused.map((r) => [r.id, r.status, r.reason]).sort()).toEqual(
        [
          [sent, 'SENT', 'wrong-status'],
          [inFlight, 'SENDING', 'wrong-status'],
          ['no-such-id', null, 'not-found'],
        ].sort(),
      );
      expect(await Promise.all([due, later].map((id) => q.get(id)))).toEqual(before);

      const done = await q.cancel({ ids: [due, later, sent, inFlight], note: 'customer unsubscribed' });
      expect(done).toMatchObject({ changed: 2, skipped: [] });
      for (const id of [due, later]) {
        expect(await q.get(id)).toMatchObject({ status: 'CANCELLED', claimToken: null, lastError: 'cancelled: customer unsubscribed' });
      }
      await f.ctx.advance(2 * HOUR);
      expect((await q.claimBatch({ limit: 10 })).messages).toEqual([]);
      expect((await q.diagnose({ sampleSize: 0 })).counts).toMatchObject({ CANCELLED: 2, SENT: 1, SENDING: 1, PENDING: 0 });
      expect(await q.get(inFlight)).toMatchObject({ status: 'SENDING' });
    });

    it("cancel by group key: that group's PENDING messages only; a plan applies only to rows still as read", async () => {
      const q = f.queue<string>();
      for (const p of ['a1', 'a2', 'a3']) await q.enqueue(p, { groupKey: 'conversation:a' });
      await q.enqueue('b1', { groupKey: 'conversation:b' });
      await q.enqueue('free');
      const [head] = (await q.claimBatch({ limit: 10 })).messages.filter((m) => m.payload === 'a1');
      expect(head).toBeDefined(); // the group's head is in flight: it is not PENDING, so not selected
      const plan = await q.cancel({ groupKey: 'conversation:a', dryRun: true });
      expect(plan.rows.map((r) => r.status)).toEqual(['PENDING', 'PENDING']);
      expect(plan.refused).toEqual([]);
      expect((await q.cancel({ groupKey: 'conversation:a', note: 'conversation closed' })).changed).toBe(2);
      const counts = (await q.diagnose({ sampleSize: 0 })).counts;
      expect(counts).toMatchObject({ CANCELLED: 2, PROCESSING: 3 });

      // Fenced: a row that a claim took between the plan and its execution is left to the claim.
      await q.enqueue('late', { groupKey: 'conversation:c' });
      await f.ctx.advance(1_000);
      const { rows } = await f.ctx.adapter.find({ queue: 'default', statuses: ['PENDING'], groupKey: 'conversation:c', limit: 10 });
      expect(rows).toHaveLength(1);
      const items = rows.map((r) => ({
        id: r.id,
        status: r.status,
        claimToken: r.claimToken,
        attempts: r.attempts,
        updatedAt: r.updatedAt,
      }));
      const taken = (await q.claimBatch({ limit: 10 })).messages.find((m) => m.payload === 'late')!;
      const change = { to: 'CANCELLED' as const, resetAttempts: false, possiblySent: false, note: 'cancelled: too late' };
      expect(await f.ctx.adapter.operate({ queue: 'default', items, ...change })).toEqual([false]);
      expect((await q.guardBeforeSend(taken)).ok).toBe(true);
    });

    it('cancel refuses to guess: no selector, a bad note or group key is refused before anything is read', async () => {
      const q = f.queue();
      await q.enqueue({});
      await expect(q.cancel({})).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'cancel.options' });
      await expect(q.cancel({ olderThanMs: 0, note: '' })).rejects.toMatchObject({ field: 'cancel.options.note' });
      await expect(q.cancel({ groupKey: '' })).rejects.toMatchObject({ field: 'cancel.options.groupKey' });
      expect((await q.diagnose({ sampleSize: 0 })).counts.PENDING).toBe(1);
      expect((await q.cancel({ olderThanMs: 0 })).changed).toBe(1);
      expect((await q.purge({ status: 'CANCELLED', olderThanMs: 0 })).changed).toBe(1);
      expect((await q.diagnose({ sampleSize: 0 })).total).toBe(0);
    });

    it('find: a page at a time, oldest change first, by status, group key, error text and possibly sent; never the payload', async () => {
      const q = f.queue<{ n: number }>();
      const ids: string[] = [];
      for (let n = 0; n < 7; n++) {
        ids.push((await q.enqueue({ n }, { groupKey: n % 2 === 0 ? 'even' : 'odd' })).id);
        await f.ctx.advance(1_000);
      }
      const pages = [];
      for (let offset = 0; offset < 9; offset += 3) pages.push(await q.find({ status: 'PENDING', limit: 3, offset }));
      expect(pages.map((p) => p.messages.map((m) => m.id))).toEqual([ids.slice(0, 3), ids.slice(3, 6), ids.slice(6)]);
      expect(pages.map((p) => p.more)).toEqual([true, true, false]);
      expect(pages[0]!.messages[0]).toMatchObject({ status: 'PENDING', groupKey: 'even', attempts: 0, possiblySent: false });
      expect(pages[0]!.messages[0]).not.toHaveProperty('payload');
      expect(pages[0]!.now).toBeInstanceOf(Date);
      expect((await q.find({ groupKey: 'odd' })).messages.map((m) => m.id)).toEqual([ids[1], ids[3], ids[5]]);
      expect((await q.find({ status: 'SENT' })).messages).toEqual([]);

      // A send in doubt (at-least-once: the lease ran out after the guard) waits to be resent, flagged.
      const m = (await q.claimBatch({ limit: 1 })).messages[0]!;
      await q.guardBeforeSend(m);
      await f.ctx.advance(11 * MINUTE);
      await q.recycleStuck();
      const doubt = await q.find({ possiblySent: true });
      expect(doubt.messages.map((x) => [x.id, x.status, x.possiblySent])).toEqual([[m.id, 'PENDING', true]]);
      expect((await q.find({ possiblySent: false, limit: 1000 })).messages.map((x) => x.id).sort()).toEqual(
        ids.filter((id) => id !== m.id).sort(),
      );
      const f2 = (await q.claimBatch({ limit: 1 })).messages[0]!;
      await q.fail(f2, new Error('provider said 429 Too Many Requests'), { retryable: false });
      expect((await q.find({ status: ['FAILED', 'HELD'], errorContains: '429' })).messages.map((x) => x.id)).toEqual([f2.id]);
      expect((await q.find({ status: 'FAILED', errorContains: 'too many' })).messages).toEqual([]);

      await expect(q.find({ limit: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', field: 'find.options.limit' });
      await expect(q.find({ offset: -1 })).rejects.toMatchObject({ field: 'find.options.offset' });
      await expect(q.find({ status: 'LOST' as 'SENT' })).rejects.toMatchObject({ field: 'find.options.status' });
      await expect(q.find({ possiblySent: 'yes' as unknown as boolean })).rejects.toMatchObject({ field: 'find.options.possiblySent' });
    });

    it('purge: SENT messages older than the cut-off, FAILED only when asked; their dedupe keys are free again', async () => {
      const q = f.queue();
      const { id: oldSent } = await q.enqueue({ n: 1 }, { dedupeKey: 'order-1' });
      await q.ack((await q.claimBatch()).messages[0]!);
      const oldFailed = await failed(q, { n: 2 }, 'boom');
      await f.ctx.advance(8 * 24 * HOUR);
      const { id: newSent } = await q.enqueue({ n: 3 });
      await q.ack((await q.claimBatch()).messages[0]!);
      const { id: pending } = await q.enqueue({ n: 4 });

      const preview = await q.purge({ olderThanMs: 7 * 24 * HOUR, dryRun: true });
      expect(preview.rows.map((r) => [r.id, r.to])).toEqual([[oldSent, 'DELETED']]);
      expect(await q.get(oldSent)).not.toBeNull();
      expect((await q.purge({ olderThanMs: 7 * 24 * HOUR })).changed).toBe(1);
      expect(await q.get(oldSent)).toBeNull();
      expect((await q.purge({ olderThanMs: 7 * 24 * HOUR, status: ['SENT', 'FAILED'] })).rows.map((r) => r.id)).toEqual([oldFailed]);
      for (const id of [newSent, pending]) expect(await q.get(id)).not.toBeNull();
      expect(await q.enqueue({ n: 5 }, { dedupeKey: 'order-1' })).toMatchObject({ created: true });
    });

    f.engine('retention: each tick deletes finished messages past their age, a bounded batch at a time', async () => {
      const q = f.queue({ retention: { sentMs: 24 * HOUR, failedMs: 7 * 24 * HOUR } });
      await q.enqueueMany([1, 2, 3].map((n) => ({ payload: { n } })));
      const [a, b] = (await q.claimBatch({ limit: 2 })).messages;
      await q.ack(a!);
      await q.fail(b!, new Error('no'), { retryable: false });
      await f.ctx.advance(2 * 24 * HOUR);
      const tick = await q.runOnce({ send: async () => {} }); // sends the third; purges the old SENT one, keeps the FAILED one
      expect(tick).toMatchObject({ sent: 1, purged: 1, storageErrors: 0 });
      expect(await q.get(a!.id)).toBeNull();
      expect((await q.get(b!.id))?.status).toBe('FAILED');
      await f.ctx.advance(6 * 24 * HOUR);
      expect(await q.runOnce({ send: async () => {} })).toMatchObject({ purged: 2 }); // the FAILED one, and the SENT one of the first tick
      expect((await q.diagnose()).total).toBe(0);
    });

    f.engine('recycleStuck({ dryRun }) names what the recycle then does, changing nothing', async () => {
      const q = f.queue({ deliveryMode: 'at-least-once' });
      await q.enqueueMany([1, 2].map((n) => ({ payload: { n } })));
      const [a, b] = (await q.claimBatch({ limit: 2 })).messages;
      await q.guardBeforeSend(b!);
      await f.ctx.advance(11 * MINUTE);
      const preview = await q.recycleStuck({ dryRun: true });
      expect(preview).toMatchObject({ dryRun: true, released: [a!.id], releasedPossiblySent: [b!.id], total: 2 });
      expect((await q.get(a!.id))?.status).toBe('PROCESSING');
      const done = await q.recycleStuck();
      expect({ released: done.released, releasedPossiblySent: done.releasedPossiblySent }).toEqual({
        released: preview.released,
        releasedPossiblySent: preview.releasedPossiblySent,
      });
    });
  });
}
