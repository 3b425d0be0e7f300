import { type ClaimedMessage, ManualTimers, PermanentSendError, RetryableSendError } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';
import { type Fixture, latch, MINUTE } from '../context.js';

/** The cron tick end to end, over the adapter under test. */
export function runOnceSuite(f: Fixture): void {
  describe('runOnce', () => {
    it('sends every due message once and acks it', async () => {
      const q = f.queue<{ n: number }>();
      await q.enqueueMany(Array.from({ length: 5 }, (_, n) => ({ payload: { n } })));
      const sent: number[] = [];
      const s = await q.runOnce({ send: async (m) => void sent.push(m.payload.n) });
      expect(sent).toEqual([0, 1, 2, 3, 4]);
      expect(s).toMatchObject({ skipped: null, claimed: 5, sent: 5, retried: 0, failed: 0, released: 0, staleAcks: 0 });
      expect((await q.diagnose()).counts.SENT).toBe(5);
    });

    it('records what send throws on the message: retry, or FAILED for a permanent error', async () => {
      const q = f.queue<string>();
      const { id: flaky } = await q.enqueue('flaky');
      const { id: bad } = await q.enqueue('bad');
      const s = await q.runOnce({
        send: async (m) => {
          throw m.payload === 'bad' ? new PermanentSendError('recipient unknown') : new Error('timeout');
        },
      });
      expect(s).toMatchObject({ claimed: 2, sent: 0, retried: 1, failed: 1 });
      expect(await q.get(flaky)).toMatchObject({ status: 'PENDING', lastError: 'Error: timeout' });
      expect(await q.get(bad)).toMatchObject({ status: 'FAILED', lastError: 'PermanentSendError: recipient unknown' });
    });

    f.engine('at-least-once: a send whose outcome is unknown is retried flagged possiblySent, with the same key', async () => {
      const q = f.queue<string>({ backoff: { baseMs: 0 } });
      const { id } = await q.enqueue('x');
      const keys: string[] = [];
      const s = await q.runOnce({
        send: async (m) => {
          keys.push(m.idempotencyKey);
          throw new Error('socket hang up');
        },
      });
      expect(s).toMatchObject({ retried: 1, held: 0 });
      expect(await q.get(id)).toMatchObject({ status: 'PENDING', possiblySent: true });
      await q.runOnce({ send: async (m) => void keys.push(m.idempotencyKey) });
      expect(keys).toHaveLength(2);
      expect(new Set(keys).size).toBe(1);
    });

    f.engine('at-most-once: a send whose outcome is unknown is HELD, never re-sent; a certain non-delivery is retried', async () => {
      const q = f.queue<string>({ deliveryMode: 'at-most-once', backoff: { baseMs: 0 } });
      const { id: unknown } = await q.enqueue('timeout');
      const { id: refused } = await q.enqueue('503');
      const s = await q.runOnce({
        send: async (m) => {
          throw m.payload === '503' ? new RetryableSendError('provider 503') : new Error('timeout after the request went out');
        },
      });
      expect(s).toMatchObject({ held: 1, retried: 1 });
      expect(await q.get(unknown)).toMatchObject({ status: 'HELD', possiblySent: true });
      expect(await q.get(refused)).toMatchObject({ status: 'PENDING', possiblySent: false });
      const again = await q.runOnce({ send: async () => {} });
      expect(again.sent).toBe(1);
      expect((await q.diagnose()).findings.map((x) => x.code)).toContain('HELD_FOR_REVIEW');
    });

    f.engine('a send never outlives its lease: its signal aborts first, and the attempt is recorded', async () => {
      // The tick's own clock, moved by hand: the send hangs until its lease deadline passes on it.
      const timers = new ManualTimers();
      const q = f.queue({ leaseMs: 2_000, guardMarginMs: 500, timers });
      const { id } = await q.enqueue({});
      let reason: unknown;
      const s = await q.runOnce({
        timeBudgetMs: 30_000,
        send: (_m, { signal }) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              reason = signal.reason;
              reject(signal.reason);
            });
            timers.advance(1_749); // a quarter margin short of the deadline: not yet
            expect(signal.aborted).toBe(false);
            timers.advance(1); // lease − guardMargin / 2 after the claim began
          }),
      });
      expect((reason as Error).name).toBe('TimeoutError');
      expect(s.retried).toBe(1);
      expect(await q.get(id)).toMatchObject({ status: 'PENDING', possiblySent: true });
    });

    f.engine('a classifier that throws or answers nonsense counts as unknown', async () => {
      const q = f.queue({ deliveryMode: 'at-most-once' });
      const { id } = await q.enqueue({});
      await q.runOnce({
        send: async () => {
          throw new Error('x');
        },
        classifyError: () => 'maybe' as never,
      });
      expect(await q.get(id)).toMatchObject({ status: 'HELD' });
    });

    f.engine('a tick that overlaps a running tick of the same queue in this process does nothing', async () => {
      const q = f.queue();
      await q.enqueue({});
      const gate = latch();
      const sending = latch();
      const first = q.runOnce({
        send: () => {
          sending.open();
          return gate.promise;
        },
      });
      await sending.promise;
      const second = await q.runOnce({ send: async () => {} });
      expect(second.skipped).toBe('overlap-in-process');
      gate.open();
      expect((await first).sent).toBe(1);
    });

    f.engine('releases, without counting the attempt, what it cannot start inside its time budget', async () => {
      // The first send takes 350 ms of a 400 ms budget on the tick's clock — exactly, however busy the machine.
      const timers = new ManualTimers();
      const q = f.queue({ timers });
      await q.enqueueMany(Array.from({ length: 4 }, () => ({ payload: {} })));
      const s = await q.runOnce({
        timeBudgetMs: 400,
        reserveMs: 100,
        send: async () => timers.advance(350),
      });
      expect(s.sent).toBe(1);
      expect(s.released).toBe(3);
      const r = await q.diagnose();
      expect(r.counts).toMatchObject({ SENT: 1, PENDING: 3, PROCESSING: 0 });
      const again = await q.claimBatch();
      expect(again.messages.every((m) => m.attempts === 1)).toBe(true);
    });

    f.engine('the send gets the idempotency key and an abort signal', async () => {
      const q = f.queue();
      const { id } = await q.enqueue({});
      let seen: ClaimedMessage | undefined;
      let signal: AbortSignal | undefined;
      await q.runOnce({
        send: async (m, ctx) => {
          seen = m;
          signal = ctx.signal;
        },
      });
      expect(seen!.idempotencyKey).toContain(id);
      expect(signal).toBeInstanceOf(AbortSignal);
    });

    it('drains: claims batch after batch until nothing is due, in one tick', async () => {
      const q = f.queue<{ n: number }>();
      await q.enqueueMany(Array.from({ length: 35 }, (_, n) => ({ payload: { n } })));
      const sent: number[] = [];
      const s = await q.runOnce({ limit: 10, send: async (m) => void sent.push(m.payload.n) });
      expect(s).toMatchObject({ batches: 4, claimed: 35, sent: 35, released: 0 });
      expect(sent.sort((a, b) => a - b)).toEqual(Array.from({ length: 35 }, (_, n) => n));
      expect((await q.diagnose()).counts).toMatchObject({ SENT: 35, PENDING: 0, PROCESSING: 0, SENDING: 0 });
    });

    f.engine('maxBatches caps the claims of one tick', async () => {
      const q = f.queue();
      await q.enqueueMany(Array.from({ length: 30 }, (_, n) => ({ payload: { n } })));
      const s = await q.runOnce({ limit: 10, maxBatches: 2, send: async () => {} });
      expect(s).toMatchObject({ batches: 2, claimed: 20, sent: 20 });
      expect((await q.diagnose()).counts).toMatchObject({ SENT: 20, PENDING: 10 });
    });

    f.engine('no message is SENDING before its send starts: the guard runs at most concurrency ahead', async () => {
      const q = f.queue<{ n: number }>();
      const ids = (await q.enqueueMany(Array.from({ length: 12 }, (_, n) => ({ payload: { n } })))).map((r) => r.id);
      const started = new Set<string>();
      let mostAhead = 0; // SENDING, but its send not started: only a window being guarded right now
      const s = await q.runOnce({
        limit: 12,
        concurrency: 3,
        send: async (m) => {
          started.add(m.id);
          let ahead = 0;
          for (const id of ids) if (!started.has(id) && (await q.get(id))?.status === 'SENDING') ahead++;
          mostAhead = Math.max(mostAhead, ahead);
        },
      });
      expect(s.sent).toBe(12);
      expect(mostAhead).toBeLessThanOrEqual(3);
    });

    f.engine('sendBatch: one call per window, each message settled by its own result', async () => {
      // A retry waits a minute, so the tick's next claim cannot take it again.
      const q = f.queue<string>({ backoff: { baseMs: 60_000 } });
      await q.enqueueMany(['ok-1', 'retry', 'ok-2', 'bad', 'ok-3'].map((payload) => ({ payload })));
      const calls: string[][] = [];
      const s = await q.runOnce({
        limit: 5,
        sendBatchSize: 5,
        sendBatch: async (messages) => {
          calls.push(messages.map((m) => m.payload));
          return messages.map((m) =>
            m.payload === 'retry'
              ? new RetryableSendError('busy')
              : m.payload === 'bad'
                ? new PermanentSendError('no such recipient')
                : undefined,
          );
        },
      });
      expect(calls).toHaveLength(1);
      expect(calls[0]!.sort()).toEqual(['bad', 'ok-1', 'ok-2', 'ok-3', 'retry']);
      expect(s).toMatchObject({ sent: 3, retried: 1, failed: 1 });
      expect((await q.diagnose()).counts).toMatchObject({ SENT: 3, PENDING: 1, FAILED: 1 });
    });

    f.engine('sendBatch that throws, or answers nonsense, fails every message of the call as unknown', async () => {
      const q = f.queue({ deliveryMode: 'at-most-once' });
      await q.enqueueMany([{ payload: 1 }, { payload: 2 }]);
      const thrown = await q.runOnce({ sendBatchSize: 1, sendBatch: async () => Promise.reject(new Error('socket hang up')) });
      expect(thrown).toMatchObject({ held: 2, sent: 0 });
      await q.enqueue(3);
      const nonsense = await q.runOnce({ sendBatch: async () => [undefined, undefined] });
      expect(nonsense).toMatchObject({ held: 1, sent: 0 });
      expect((await q.diagnose()).counts).toMatchObject({ HELD: 3 });
    });

    f.engine("recycles before claiming, so a crashed tick's messages go out on the next one", async () => {
      const q = f.queue();
      await q.enqueue({});
      await q.claimBatch(); // a tick that died after claiming
      await f.ctx.advance(11 * MINUTE);
      const s = await q.runOnce({ send: async () => {} });
      expect(s.recycled!.released).toHaveLength(1);
      expect(s.sent).toBe(1);
    });
  });
}
