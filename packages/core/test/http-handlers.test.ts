/**
 * cronHandler and statusHandler: standard Request → Response route handlers. Who may call, what they
 * answer, and that they never touch the queue when they refuse.
 */
import {
  budgetFor,
  createQueue,
  cronHandler,
  MsgQueueError,
  memoryAdapter,
  type RunOnceOptions,
  type RunSummary,
  type StorageAdapter,
  statusHandler,
} from '@org/msgqueue';
import { afterEach, describe, expect, it, vi } from 'vitest';

const SECRET = 's3cret-value';
const call = (headers: Record<string, string> = { authorization: `Bearer ${SECRET}` }, url = 'https://app.test/api/cron') =>
  new Request(url, { headers });

function setup() {
  const queue = createQueue<{ n: number }>({ adapter: memoryAdapter() });
  const sent: number[] = [];
  const send = async (m: { payload: { n: number } }) => void sent.push(m.payload.n);
  return { queue, sent, send };
}

/** A memory adapter whose every claim fails, as a database that went away would. */
function brokenClaims(): StorageAdapter {
  const base = memoryAdapter();
  return {
    ...base,
    claim: async () => {
      throw new MsgQueueError('STORAGE_ERROR', 'connection refused (test)');
    },
  } as StorageAdapter;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('cronHandler', () => {
  it('runs one tick and answers its summary, 200, never cached', async () => {
    const { queue, sent, send } = setup();
    await queue.enqueueMany([{ payload: { n: 1 } }, { payload: { n: 2 } }]);
    const res = await cronHandler({ queue, send, secret: SECRET })(call());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as RunSummary;
    expect(body).toMatchObject({ skipped: null, claimed: 2, sent: 2, storageErrors: 0 });
    expect(sent.sort()).toEqual([1, 2]);
  });

  it('refuses a call without the bearer secret or with a wrong one, touching nothing', async () => {
    const { queue, sent, send } = setup();
    await queue.enqueue({ n: 1 });
    const handler = cronHandler({ queue, send, secret: SECRET });
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong' },
      { authorization: SECRET },
      { authorization: `Basic ${SECRET}` },
    ]) {
      const res = await handler(call(headers));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    }
    expect(sent).toEqual([]);
    expect((await queue.diagnose()).counts.PENDING).toBe(1);
  });

  it('runs a tick on GET and POST only: HEAD (which Next.js answers with GET) and the rest get 405 and touch nothing', async () => {
    const { queue, sent, send } = setup();
    await queue.enqueueMany([{ payload: { n: 1 } }, { payload: { n: 2 } }]);
    const handler = cronHandler({ queue, send, secret: SECRET, limit: 1, maxBatches: 1 });
    for (const method of ['HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']) {
      const res = await handler(new Request('https://app.test/api/cron', { method, headers: { authorization: `Bearer ${SECRET}` } }));
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, POST');
    }
    expect(sent).toEqual([]);
    expect((await queue.diagnose()).counts.PENDING).toBe(2);
    const post = await handler(
      new Request('https://app.test/api/cron', { method: 'POST', headers: { authorization: `Bearer ${SECRET}` } }),
    );
    expect(await post.json()).toMatchObject({ sent: 1 });
    expect((await handler(call())).status).toBe(200);
    expect(sent.sort()).toEqual([1, 2]);
  });

  it('a CRON_SECRET with a trailing line break (echo >> .env) still matches; one with a line break inside is refused by name', async () => {
    const { queue, sent, send } = setup();
    await queue.enqueue({ n: 1 });
    const handler = cronHandler({ queue, send });
    vi.stubEnv('CRON_SECRET', `${SECRET}\n`);
    expect((await handler(call())).status).toBe(200);
    expect(sent).toEqual([1]);
    vi.stubEnv('CRON_SECRET', `${SECRET}\nother`);
    const bad = await handler(call());
    expect(bad.status).toBe(500);
    expect(await bad.json()).toMatchObject({ error: { code: 'SECRET_INVALID' } });
    expect((await cronHandler({ queue, send, secret: ` ${SECRET}\n` })(call())).status).toBe(200);
    for (const secret of ['a\nb', ' \n ']) {
      expect(() => cronHandler({ queue, send, secret })).toThrow(MsgQueueError);
    }
  });

  it('reads CRON_SECRET on each request when no secret is given', async () => {
    const { queue, send } = setup();
    const handler = cronHandler({ queue, send });
    vi.stubEnv('CRON_SECRET', 'from-env');
    expect((await handler(call({ authorization: 'Bearer from-env' }))).status).toBe(200);
    vi.stubEnv('CRON_SECRET', 'rotated');
    expect((await handler(call({ authorization: 'Bearer from-env' }))).status).toBe(401);
    expect((await handler(call({ authorization: 'Bearer rotated' }))).status).toBe(200);
  });

  it('refuses to run with no secret configured, unless told the route is open', async () => {
    const { queue, sent, send } = setup();
    await queue.enqueue({ n: 1 });
    vi.stubEnv('CRON_SECRET', '');
    const res = await cronHandler({ queue, send })(call({}));
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 'SECRET_MISSING', message: expect.stringContaining('CRON_SECRET') } });
    expect(sent).toEqual([]);
    expect((await cronHandler({ queue, send, allowUnauthenticated: true })(call({}))).status).toBe(200);
    expect(sent).toEqual([1]);
  });

  it('does nothing while next build runs, whatever the secret', async () => {
    const { queue, sent, send } = setup();
    await queue.enqueue({ n: 1 });
    vi.stubEnv('NEXT_PHASE', 'phase-production-build');
    const res = await cronHandler({ queue, send, secret: SECRET })(call());
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error: { code: 'BUILD_TIME' } });
    expect(sent).toEqual([]);
    expect((await queue.diagnose()).counts).toMatchObject({ PENDING: 1, PROCESSING: 0 });
  });

  it('answers 500 with the storage error when the tick cannot start, and 500 with the summary when a step failed mid-tick', async () => {
    const queue = createQueue({ adapter: brokenClaims() });
    const res = await cronHandler({ queue, send: async () => {}, secret: SECRET })(call());
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: 'STORAGE_ERROR', message: expect.stringContaining('connection refused') } });

    const { queue: q, send } = setup();
    const failing = { ...q, runOnce: async (o: RunOnceOptions<{ n: number }>) => ({ ...(await q.runOnce(o)), storageErrors: 1 }) };
    const mid = await cronHandler({ queue: failing, send, secret: SECRET })(call());
    expect(mid.status).toBe(500);
    expect(await mid.json()).toMatchObject({ storageErrors: 1 });
  });

  it('a tick skipped because another runs is healthy: 200, skipped', async () => {
    const { queue } = setup();
    await queue.enqueue({ n: 1 });
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const handler = cronHandler({ queue, send: () => held, secret: SECRET });
    const first = handler(call());
    await vi.waitFor(async () => expect((await queue.diagnose()).counts.SENDING).toBe(1));
    const second = await handler(call());
    expect(second.status).toBe(200);
    expect(await second.json()).toMatchObject({ skipped: 'overlap-in-process' });
    release();
    expect(await (await first).json()).toMatchObject({ sent: 1 });
  });

  it('derives the tick budget from maxDuration, a tenth held back (2 s to 30 s)', async () => {
    expect(budgetFor(10)).toBe(8_000);
    expect(budgetFor(60)).toBe(54_000);
    expect(budgetFor(800)).toBe(770_000);
    const { queue, send } = setup();
    const seen: (number | undefined)[] = [];
    const spy = {
      ...queue,
      runOnce: (o: RunOnceOptions<{ n: number }>) => {
        seen.push(o.timeBudgetMs);
        return queue.runOnce(o);
      },
    };
    await cronHandler({ queue: spy, send, secret: SECRET, maxDuration: 60 })(call());
    await cronHandler({ queue: spy, send, secret: SECRET, timeBudgetMs: 5_000 })(call());
    await cronHandler({ queue: spy, send, secret: SECRET })(call());
    expect(seen).toEqual([54_000, 5_000, undefined]);
  });

  it('checks its options when made, with a code and the field', () => {
    const { queue, send } = setup();
    const bad: [unknown, string][] = [
      [{ send }, 'cronHandler.options.queue'],
      [{ queue: {}, send }, 'cronHandler.options.queue'],
      [{ queue }, 'cronHandler.options.send'],
      [{ queue, send: 'x' }, 'cronHandler.options.send'],
      [{ queue, send, secret: '' }, 'cronHandler.options.secret'],
      [{ queue, send, maxDuration: 1 }, 'cronHandler.options.maxDuration'],
      [{ queue, send, maxDuration: 10.5 }, 'cronHandler.options.maxDuration'],
      [{ queue, send, maxDuration: 60, timeBudgetMs: 1000 }, 'cronHandler.options.timeBudgetMs'],
      [{ queue, send, timeBudgetMs: 10 }, 'cronHandler.options.timeBudgetMs'],
      [{ queue, send, allowUnauthenticated: 'yes' }, 'cronHandler.options.allowUnauthenticated'],
      [{ queue, send, maxDuraton: 60 }, 'cronHandler.options.maxDuraton'],
    ];
    for (const [options, field] of bad) {
      expect(() => cronHandler(options as never), JSON.stringify(Object.keys(options as object))).toThrowError(
        expect.objectContaining({ field, code: expect.stringMatching(/^(INVALID_ARGUMENT|UNKNOWN_OPTION)$/) }),
      );
    }
  });
});

describe('statusHandler', () => {
  it('answers the report: 200 healthy, 503 on an alert, behind the same secret', async () => {
    const adapter = memoryAdapter();
    const queue = createQueue<{ n: number }>({ adapter, maxAttempts: 1, alerts: { failedThreshold: 0 } });
    const handler = statusHandler({ queue, secret: SECRET });
    expect((await handler(call({}))).status).toBe(401);
    const ok = await handler(call());
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(await ok.json()).toMatchObject({ healthy: true, total: 0 });

    await queue.enqueue({ n: 1 });
    await queue.runOnce({
      send: async () => {
        throw new Error('provider said no');
      },
    });
    const bad = await handler(call());
    expect(bad.status).toBe(503);
    const report = (await bad.json()) as { findings: { code: string }[] };
    expect(report).toMatchObject({ healthy: false, counts: { FAILED: 1 } });
    expect(report.findings.map((f) => f.code)).toContain('FAILED_ABOVE_THRESHOLD');
  });

  it("a monitor's own secret: the cron secret does not open it; HEAD answers the status alone; POST is refused", async () => {
    const queue = createQueue({ adapter: memoryAdapter() });
    vi.stubEnv('CRON_SECRET', SECRET);
    const handler = statusHandler({ queue, secret: 'monitor-only' });
    expect((await handler(call())).status).toBe(401);
    const ok = await handler(call({ authorization: 'Bearer monitor-only' }));
    expect(ok.status).toBe(200);
    const head = await handler(
      new Request('https://app.test/api/status', { method: 'HEAD', headers: { authorization: 'Bearer monitor-only' } }),
    );
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await handler(
      new Request('https://app.test/api/status', { method: 'POST', headers: { authorization: 'Bearer monitor-only' } }),
    );
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('reports several queues, healthy only when every one is', async () => {
    const a = createQueue({ adapter: memoryAdapter(), name: 'outgoing' });
    const b = createQueue({ adapter: memoryAdapter(), name: 'incoming' });
    const res = await statusHandler({ queues: [a, b], secret: SECRET })(call());
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ healthy: true, reports: [{ queue: 'outgoing' }, { queue: 'incoming' }] });
  });

  it('answers 500 when the storage cannot be read', async () => {
    const queue = createQueue({ adapter: memoryAdapter() });
    const broken = {
      ...queue,
      diagnose: async () => {
        throw new MsgQueueError('STORAGE_ERROR', 'gone');
      },
    };
    const res = await statusHandler({ queue: broken, secret: SECRET })(call());
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: 'STORAGE_ERROR' } });
  });

  it('checks its options when made', () => {
    const queue = createQueue({ adapter: memoryAdapter() });
    expect(() => statusHandler({} as never)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => statusHandler({ queue, queues: [queue] })).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => statusHandler({ queues: [] })).toThrowError(expect.objectContaining({ field: 'statusHandler.options.queues' }));
    expect(() => statusHandler({ queue, sampleSize: -1 })).toThrowError(
      expect.objectContaining({ field: 'statusHandler.options.sampleSize' }),
    );
  });
});
