import { describe, expect, it } from 'vitest';
import { type Fixture, MINUTE } from '../context.js';

/** diagnose: counts that match the rows, and findings with their numbers. */
export function diagnoseSuite(f: Fixture): void {
  describe('diagnose', () => {
    it('reports counts by status that match a scripted history', async () => {
      const q = f.queue({ maxAttempts: 1 });
      await q.enqueueMany(Array.from({ length: 6 }, (_, i) => ({ payload: { i } })));
      await q.enqueue({ later: true }, { delayMs: 60 * MINUTE });
      const [a, b, c, d] = (await q.claimBatch({ limit: 4 })).messages;
      await q.guardBeforeSend(a!);
      await q.ack(a!); // SENT
      await q.fail(b!, 'boom'); // FAILED (1 attempt)
      await q.guardBeforeSend(c!); // SENDING
      void d; // PROCESSING
      const r = await q.diagnose();
      expect(r.counts).toEqual({ PENDING: 3, PROCESSING: 1, SENDING: 1, SENT: 1, FAILED: 1, HELD: 0, CANCELLED: 0 });
      expect(r.total).toBe(7);
      expect(r.duePending).toBe(2);
      expect(r.failedInWindow).toBe(1);
      expect(r.expiredInFlight).toBe(0);
      expect(r.samples.failed.map((m) => m.id)).toEqual([b!.id]);
      expect(r.samples.failed[0]!.lastError).toBe('boom');
      expect(r.healthy).toBe(true);
      expect(JSON.stringify(r)).not.toContain('"i":');
      // Throughput: what finished in the last hour, by each row's last change.
      expect(r.throughput).toEqual({ windowMs: 60 * MINUTE, sent: 1, failed: 1 });
      await f.ctx.advance(61 * MINUTE);
      expect((await q.diagnose({ sampleSize: 0 })).throughput).toEqual({ windowMs: 60 * MINUTE, sent: 0, failed: 0 });
    });

    it('reads one snapshot: while other connections claim and ack, every report adds up', async () => {
      const q = f.queue();
      const total = 300;
      await q.enqueueMany(Array.from({ length: total }, (_, i) => ({ payload: { i } })));
      const workers = await Promise.all(
        Array.from({ length: 3 }, async () => f.queue({ adapter: f.ctx.connect ? await f.ctx.connect() : f.ctx.adapter })),
      );
      let draining = true;
      const drained = Promise.all(
        workers.map(async (w) => {
          for (let c = await w.claimBatch({ limit: 5 }); c.messages.length; c = await w.claimBatch({ limit: 5 })) {
            for (const m of c.messages) {
              await w.guardBeforeSend(m);
              await w.ack(m);
            }
          }
        }),
      ).finally(() => {
        draining = false;
      });
      const mismatches: string[] = [];
      let reports = 0;
      while (draining || reports === 0) {
        const r = await q.diagnose({ sampleSize: 0 });
        reports++;
        // Every message is due, so a consistent snapshot counts each PENDING row as due exactly once.
        if (r.total !== total || r.duePending !== r.counts.PENDING) {
          mismatches.push(`total ${r.total}, PENDING ${r.counts.PENDING}, due ${r.duePending}`);
        }
      }
      await drained;
      expect(mismatches).toEqual([]);
      expect((await q.diagnose()).counts.SENT).toBe(total);
    });

    f.engine('flags expired and too-long in-flight rows, then the recycler clears them', async () => {
      const q = f.queue({ alerts: { inFlightMs: 30 * MINUTE } });
      await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await f.ctx.advance(11 * MINUTE);
      let r = await q.diagnose();
      expect(r.expiredInFlight).toBe(1);
      expect(r.samples.expiredInFlight.map((x) => x.id)).toEqual([m.id]);
      expect(r.findings.map((x) => x.code)).toEqual(['EXPIRED_IN_FLIGHT']);
      await f.ctx.advance(20 * MINUTE);
      r = await q.diagnose();
      expect(r.inFlightTooLong).toBe(1);
      expect(r.healthy).toBe(false);
      expect(r.findings.find((x) => x.code === 'IN_FLIGHT_TOO_LONG')!.message).toContain('30 min');
      await q.recycleStuck();
      r = await q.diagnose();
      expect([r.expiredInFlight, r.inFlightTooLong, r.healthy]).toEqual([0, 0, true]);
    });

    f.engine('alerts when failures in the window pass the threshold, and forgets them after the window', async () => {
      const q = f.queue({ alerts: { failedThreshold: 2 } });
      await q.enqueueMany(Array.from({ length: 3 }, () => ({ payload: {} })));
      for (const m of (await q.claimBatch()).messages) await q.fail(m, 'bad', { retryable: false });
      let r = await q.diagnose();
      expect(r.failedInWindow).toBe(3);
      expect(r.findings.find((x) => x.code === 'FAILED_ABOVE_THRESHOLD')!.message).toMatch(/^3 message/);
      await f.ctx.advance(25 * 60 * MINUTE);
      r = await q.diagnose();
      expect(r.failedInWindow).toBe(0);
      expect(r.counts.FAILED).toBe(3);
    });

    f.engine('counts possibly-sent messages waiting for a resend, and reports the oldest pending age', async () => {
      const q = f.queue();
      await q.enqueue({});
      const m = (await q.claimBatch()).messages[0]!;
      await q.guardBeforeSend(m);
      await f.ctx.advance(11 * MINUTE);
      await q.recycleStuck();
      const r = await q.diagnose();
      expect(r.possiblySentPending).toBe(1);
      expect(r.findings.map((x) => x.code)).toContain('POSSIBLY_SENT_RESEND');
      expect(r.oldestPendingAgeMs).toBeGreaterThanOrEqual(11 * MINUTE - 1_000);
    });
  });
}
