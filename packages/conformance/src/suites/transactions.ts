import { MsgQueueError } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';
import type { Fixture } from '../context.js';

class Rollback extends Error {}

/** Enqueue inside the caller's own transaction: the message commits or rolls back with it. */
export function transactionsSuite(f: Fixture): void {
  describe("enqueue inside the caller's transaction", () => {
    const needs = (t: { skip(note: string): void }) => {
      if (!f.ctx.adapter.capabilities.transactionalInsert) t.skip('capabilities.transactionalInsert is false');
      if (!f.ctx.transaction) t.skip('the harness gives no transaction(): it cannot open a transaction of the client');
    };

    it('an adapter that cannot write through a transaction refuses one, before anything is written', async (t) => {
      if (f.ctx.adapter.capabilities.transactionalInsert) t.skip('the adapter writes through transactions (see the tests below)');
      const q = f.queue();
      const error = await q.enqueue({}, { transaction: {} }).catch((e: unknown) => e);
      expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as MsgQueueError).field).toBe('enqueue.options.transaction');
      expect((await q.diagnose()).total).toBe(0);
    });

    it('a committed transaction keeps the messages, and they are claimable', async (t) => {
      needs(t);
      const q = f.queue<{ n: number }>();
      const ids = await f.ctx.transaction!(async (transaction) => {
        const one = await q.enqueue({ n: 1 }, { transaction });
        const more = await q.enqueueMany([{ payload: { n: 2 } }, { payload: { n: 3 }, dedupeKey: 'order:3' }], { transaction });
        return [one, ...more].map((r) => r.id);
      });
      const claimed = await q.claimBatch({ limit: 10 });
      expect(claimed.messages.map((m) => m.id).sort()).toEqual([...ids].sort());
      expect(claimed.messages.map((m) => m.payload.n).sort()).toEqual([1, 2, 3]);
    });

    it('a transaction that has ended (committed or rolled back) is refused, before anything is written', async (t) => {
      needs(t);
      const q = f.queue();
      const committed = await f.ctx.transaction!(async (transaction) => transaction);
      let rolledBack: unknown;
      await f.ctx.transaction!(async (transaction) => {
        rolledBack = transaction;
        throw new Rollback('the business write failed');
      }).catch(() => {});
      for (const transaction of [committed, rolledBack]) {
        const error = await q.enqueue({ n: 1 }, { transaction }).catch((e: unknown) => e);
        expect(MsgQueueError.isInstance(error, 'INVALID_ARGUMENT'), String(error)).toBe(true);
        expect((error as MsgQueueError).field).toMatch(/transaction$/);
        const many = await q.enqueueMany([{ payload: { n: 2 } }], { transaction }).catch((e: unknown) => e);
        expect(MsgQueueError.isInstance(many, 'INVALID_ARGUMENT'), String(many)).toBe(true);
      }
      expect((await q.diagnose()).total).toBe(0);
    });

    it('the client itself passed as the transaction (a pool, a root client, a database) is refused, before anything is written', async (t) => {
      needs(t);
      if (f.ctx.client === undefined) t.skip('the harness gives no client: it cannot hand the adapter its own client');
      const q = f.queue();
      // Inside an open transaction of the client, as the mistake is made: enqueue given the client, not the transaction.
      await expect(
        f.ctx.transaction!(async () => {
          await q.enqueue({ n: 1 }, { transaction: f.ctx.client });
        }),
      ).rejects.toSatisfy((e: unknown) => MsgQueueError.isInstance(e, 'INVALID_ARGUMENT') && /transaction$/.test(e.field ?? ''));
      expect((await q.diagnose()).total).toBe(0);
    });

    it('a rolled-back transaction leaves no message, dedupe key included', async (t) => {
      needs(t);
      const q = f.queue();
      await expect(
        f.ctx.transaction!(async (transaction) => {
          await q.enqueue({ n: 1 }, { transaction, dedupeKey: 'order:1' });
          await q.enqueueMany([{ payload: { n: 2 } }], { transaction });
          throw new Rollback('the business write failed');
        }),
      ).rejects.toBeInstanceOf(Rollback);
      expect((await q.diagnose()).total).toBe(0);
      expect((await q.claimBatch()).messages).toHaveLength(0);
      expect(await q.enqueue({ n: 1 }, { dedupeKey: 'order:1' })).toMatchObject({ created: true });
    });
  });
}
