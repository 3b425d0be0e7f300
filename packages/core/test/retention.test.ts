/**
 * Retention keeps up with a busy table: a tick deletes its finished messages in steps of 1,000
 * while its budget allows, not a fixed hundred (at one tick a minute, 144,000 a day: less than a
 * busy app finishes).
 */
import { createQueue, ManualClock, memoryAdapter } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

const DAY = 86_400_000;

describe('retention', () => {
  it('one tick deletes every finished message past its age, 2,500 of them', async () => {
    const clock = new ManualClock();
    const queue = createQueue({ adapter: memoryAdapter({ clock: clock.now }), retention: { sentMs: DAY } });
    for (let i = 0; i < 3; i++) await queue.enqueueMany(Array.from({ length: i < 2 ? 1000 : 500 }, (_, n) => ({ payload: { n } })));
    expect(await queue.runOnce({ send: async () => {} })).toMatchObject({ sent: 2500, purged: 0 });
    clock.advance(2 * DAY);
    expect(await queue.runOnce({ send: async () => {} })).toMatchObject({ purged: 2500, storageErrors: 0 });
    expect((await queue.diagnose()).total).toBe(0);
  });
});
