/**
 * A full life cycle on the in-memory adapter, with a clock we move by hand so leases expire on cue.
 * Run: pnpm demo
 */
import { createQueue, ManualClock, memoryAdapter, PermanentSendError } from '@org/msgqueue';

type Sms = { to: string; text: string };
const MINUTE = 60_000;
const clock = new ManualClock(new Date('2026-01-01T09:00:00Z'));
const queue = createQueue<Sms>({ adapter: memoryAdapter({ clock: clock.now }), backoff: { baseMs: 30_000, jitter: false } });
const say = (...parts: unknown[]) => console.log(`[${clock.now().toISOString().slice(11, 19)}]`, ...parts);

say('1. enqueue four messages; the second enqueue of "welcome:alice" is a no-op thanks to its dedupe key');
await queue.enqueue({ to: 'alice', text: 'Welcome!' }, { dedupeKey: 'welcome:alice' });
const dup = await queue.enqueue({ to: 'alice', text: 'Welcome!' }, { dedupeKey: 'welcome:alice' });
say('   duplicate enqueue →', dup);
await queue.enqueue({ to: 'bob', text: 'Your code is 1234' });
await queue.enqueue({ to: 'invalid', text: 'never deliverable' });
await queue.enqueue({ to: 'carol', text: 'flaky provider' });

let carolTries = 0;
const provider = async (m: { payload: Sms; idempotencyKey: string; attempts: number }) => {
  if (m.payload.to === 'invalid') throw new PermanentSendError('recipient rejected');
  if (m.payload.to === 'carol' && ++carolTries === 1) throw new Error('provider 503');
  say(`   → delivered to ${m.payload.to} (attempt ${m.attempts}, idempotency key ${m.idempotencyKey.slice(-12)})`);
};

say('2. a cron tick: recycle, claim, guard → send → ack/fail');
say('   summary:', summarize(await queue.runOnce({ send: provider })));

say('3. 31 s later, the next tick retries carol after her backoff');
clock.advance(31_000);
say('   summary:', summarize(await queue.runOnce({ send: provider })));

say('4. the post-mortem race: a slow worker overruns its lease, the row is recycled and re-claimed');
const { id } = await queue.enqueue({ to: 'dave', text: 'slow one' });
const slow = (await queue.claimBatch()).messages[0]!;
clock.advance(11 * MINUTE);
await queue.recycleStuck();
const fresh = (await queue.claimBatch()).messages[0]!;
say('   slow worker guard →', await queue.guardBeforeSend(slow));
say('   new owner guard   →', await queue.guardBeforeSend(fresh));
say('   new owner ack     →', await queue.ack(fresh));
say('   slow worker ack   →', await queue.ack(slow));
say(`   message ${id.slice(-12)} is`, (await queue.get(id))!.status, '(sent once)');

say('5. diagnose');
const report = await queue.diagnose();
say('   counts:', report.counts, 'healthy:', report.healthy);
for (const f of report.findings) say(`   ${f.severity}: ${f.message}`);
for (const m of report.samples.failed) say(`   failed ${m.id.slice(-12)}: ${m.lastError}`);

function summarize(s: Awaited<ReturnType<typeof queue.runOnce>>) {
  return { claimed: s.claimed, sent: s.sent, retried: s.retried, failed: s.failed, released: s.released };
}
