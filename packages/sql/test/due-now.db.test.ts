/**
 * A message enqueued (or recycled) "due now" is claimable by the very next statement. A
 * timestamptz(3) column rounds to the nearest millisecond, so a "now" written untruncated could
 * land up to half a millisecond in the future and be skipped by an immediate claim.
 */
import { createQueue } from '@org/msgqueue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDefaultTables } from './support/harness.js';
import { type Connection, targets } from './support/targets.js';

const oneTargetPerDialect = targets().filter((t, i, all) => all.findIndex((o) => o.dialect === t.dialect) === i);

for (const target of oneTargetPerDialect) {
  describe(`due now on ${target.name}`, () => {
    let c: Connection;
    beforeAll(async () => {
      c = await target.open(1);
      await freshDefaultTables(c, target.dialect);
    });
    afterAll(() => c.close());

    it('every message enqueued due now is claimed by the next claim (300 in a row)', async () => {
      const queue = createQueue({ adapter: c.adapter() });
      let missed = 0;
      for (let i = 0; i < 300; i++) {
        await queue.enqueue({ i });
        const { messages } = await queue.claimBatch();
        if (messages.length !== 1) missed++;
        for (const m of messages) await queue.ack(m);
      }
      expect(missed).toBe(0);
    });
  });
}
