import { backoffDelay, createQueue, type Logger, ManualClock, MsgQueueError, memoryAdapter, PermanentSendError } from '@org/msgqueue';
import { describe, expect, it, vi } from 'vitest';

const adapter = () => memoryAdapter({ clock: new ManualClock().now });

describe('MsgQueueError', () => {
  it('isInstance recognises an error from another copy of the package', () => {
    // A second copy has its own class but the same well-known marker.
    const foreign = Object.assign(new Error('x'), { code: 'INVALID_ARGUMENT', [Symbol.for('@org/msgqueue/error')]: true });
    expect(MsgQueueError.isInstance(foreign)).toBe(true);
    expect(MsgQueueError.isInstance(foreign, 'INVALID_ARGUMENT')).toBe(true);
    expect(MsgQueueError.isInstance(foreign, 'UNKNOWN_OPTION')).toBe(false);
    expect(MsgQueueError.isInstance(new Error('x'))).toBe(false);
    expect(MsgQueueError.isInstance(null)).toBe(false);
  });
});

describe('createQueue options', () => {
  const withAdapter = (extra: object) => ({ adapter: adapter(), ...extra });
  const cases: [string, unknown, string, RegExp][] = [
    ['no options', undefined, 'INVALID_ARGUMENT', /adapter/],
    ['no adapter', {}, 'INVALID_ARGUMENT', /options\.adapter/],
    ['not an adapter', { adapter: {} }, 'INVALID_ARGUMENT', /options\.adapter/],
    ['batchSize 0', withAdapter({ batchSize: 0 }), 'INVALID_ARGUMENT', /batchSize/],
    ['batchSize "10"', withAdapter({ batchSize: '10' }), 'INVALID_ARGUMENT', /batchSize/],
    ['leaseMs in seconds by mistake', withAdapter({ leaseMs: 600 }), 'INVALID_ARGUMENT', /leaseMs/],
    ['maxAttempts 0', withAdapter({ maxAttempts: 0 }), 'INVALID_ARGUMENT', /maxAttempts/],
    ['deliveryMode typo', withAdapter({ deliveryMode: 'exactly-once' }), 'INVALID_ARGUMENT', /deliveryMode/],
    ['guard margin ≥ lease', withAdapter({ leaseMs: 60_000, guardMarginMs: 60_000 }), 'INVALID_ARGUMENT', /guardMarginMs/],
    ['backoff max < base', withAdapter({ backoff: { baseMs: 10_000, maxMs: 5 } }), 'INVALID_ARGUMENT', /backoff\.maxMs/],
    ['unknown option', withAdapter({ batchsize: 5 }), 'UNKNOWN_OPTION', /did you mean "batchSize"/],
    ['unknown backoff option', withAdapter({ backoff: { base: 1 } }), 'UNKNOWN_OPTION', /backoff\.base/],
    ['logger without warn', withAdapter({ logger: { debug() {}, info() {}, error() {} } }), 'INVALID_ARGUMENT', /logger/],
    ['hook not a function', withAdapter({ hooks: { acked: 5 } }), 'INVALID_ARGUMENT', /hooks\.acked/],
    ['queue name with SQL', withAdapter({ name: "x'; drop table" }), 'INVALID_ARGUMENT', /options\.name/],
    ['retention in seconds by mistake', withAdapter({ retention: { sentMs: 86_400 } }), 'INVALID_ARGUMENT', /retention\.sentMs/],
    ['retention typo', withAdapter({ retention: { sent: 86_400_000 } }), 'UNKNOWN_OPTION', /retention\.sent/],
    ['retention not an object', withAdapter({ retention: 7 }), 'INVALID_ARGUMENT', /retention/],
  ];
  it.each(cases)('%s → %s', (_label, options, code, message) => {
    let thrown: unknown;
    try {
      createQueue(options as never);
    } catch (e) {
      thrown = e;
    }
    expect(MsgQueueError.isInstance(thrown, code as never)).toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });

  it('fills the defaults: batch 10, lease 10 min, 3 attempts, at-least-once', () => {
    expect(createQueue({ adapter: adapter() }).options).toMatchObject({
      batchSize: 10,
      leaseMs: 600_000,
      maxAttempts: 3,
      deliveryMode: 'at-least-once',
      alerts: { inFlightMs: 1_800_000, failedWindowMs: 86_400_000, failedThreshold: 10 },
    });
  });
});

describe('backoff', () => {
  const b = { baseMs: 1_000, maxMs: 60_000, jitter: true };
  it('doubles per attempt and caps at maxMs', () => {
    const noJitter = { ...b, jitter: false };
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(noJitter, n))).toEqual([1_000, 2_000, 4_000, 8_000, 60_000]);
  });
  it('jitters within [50 %, 100 %]', () => {
    expect(backoffDelay(b, 3, () => 0)).toBe(2_000);
    expect(backoffDelay(b, 3, () => 0.999999)).toBe(4_000);
  });
});

describe('logger and hooks', () => {
  it('logs events without payloads, and a throwing hook does not break the queue', async () => {
    const lines: unknown[] = [];
    const log = (obj: object, msg?: string) => void lines.push({ ...obj, msg });
    const logger: Logger = { debug: log, info: log, warn: log, error: log };
    const acked = vi.fn(() => {
      throw new Error('hook bug');
    });
    const q = createQueue({ adapter: adapter(), logger, hooks: { acked } });
    await q.enqueue({ secret: 'card 4242' });
    const s = await q.runOnce({ send: async () => {} });
    expect(s.sent).toBe(1);
    expect(acked).toHaveBeenCalledOnce();
    expect(lines.length).toBeGreaterThan(0);
    expect(JSON.stringify(lines)).not.toContain('4242');
    expect(JSON.stringify(lines)).toContain('a hook threw');
  });

  it('PermanentSendError is not retryable; other errors are', async () => {
    const q = createQueue<string>({ adapter: adapter() });
    await q.enqueue('a');
    await q.enqueue('b');
    const s = await q.runOnce({
      send: async (m) => {
        if (m.payload === 'a') throw new PermanentSendError('no');
        throw Object.assign(new Error('rate limited'), { retryable: true });
      },
    });
    expect([s.failed, s.retried]).toEqual([1, 1]);
  });
});
