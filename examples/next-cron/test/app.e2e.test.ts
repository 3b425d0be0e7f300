/**
 * The example app end to end, as it would run on Vercel: `next build` (cron routes dynamic, no row
 * touched), two `next start` instances over one PostgreSQL, texts enqueued through the app (the form's
 * server action and the provider's webhook), the cron routes called concurrently by both instances
 * until everything settled, against a provider that is sometimes unavailable, sometimes fails after
 * accepting, sometimes answers slower than the lease, and refuses one recipient for good.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createQueue, type DiagnoseReport, type RunSummary, type StatusBody } from '@org/msgqueue';
import { schemaSql, splitStatements } from '@org/msgqueue-sql';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { postgresUrl } from '@org/msgqueue-test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP, type Instance, nextBuild, prepareApp, startInstance } from './app.js';
import { BLOCKED_NUMBER, type FakeProvider, startFakeProvider } from './fake-provider.js';

/** The app's migrations, in order, as one script (what `prisma migrate deploy` applies). */
function migrations(): string {
  const dir = join(APP, 'prisma', 'migrations');
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return names.map((name) => readFileSync(join(dir, name, 'migration.sql'), 'utf8')).join('\n');
}

const CRON_SECRET = 'e2e-cron-secret';
const STATUS_SECRET = 'e2e-monitor-secret';
const WEBHOOK_SECRET = 'e2e-webhook-secret';
const LEASE_MS = 3_000;
const CRON_ROUTES = ['/api/cron/process-queue', '/api/cron/process-incoming'];
const ADMIN_SECRET = 'e2e-status-page-secret';

interface Row {
  id: string;
  queue: string;
  status: string;
  payload: { to?: string; from?: string; text: string; messageId: string };
  attempts: number;
  group_key: string | null;
  possibly_sent: boolean;
  last_error: string | null;
  created_at: Date;
}

describe('examples/next-cron end to end', () => {
  let pool: pg.Pool;
  let provider: FakeProvider;
  let env: Record<string, string>;
  const instances: Instance[] = [];
  const rows = async (): Promise<Row[]> => (await pool.query<Row>('SELECT * FROM msgqueue_messages ORDER BY created_at, id')).rows;
  const call = (instance: Instance, path: string, init: RequestInit = {}) => fetch(`${instance.url}${path}`, init);
  const cron = (instance: Instance, path: string) => call(instance, path, { headers: { authorization: `Bearer ${CRON_SECRET}` } });

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: postgresUrl(), max: 3 });
    await pool.query(migrations());
    provider = await startFakeProvider({ slowMs: LEASE_MS + 1_500 });
    env = {
      DATABASE_URL: postgresUrl(),
      CRON_SECRET,
      STATUS_SECRET,
      MSGQUEUE_ADMIN_SECRET: ADMIN_SECRET,
      WEBHOOK_SECRET,
      PROVIDER_URL: provider.url,
      QUEUE_LEASE_MS: String(LEASE_MS),
      QUEUE_RETRY_BASE_MS: '200',
    };
    await prepareApp();
  }, 240_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await provider?.close();
    await pool?.end();
  });

  it('ships msgqueue’s schema in its migrations, statement for statement', () => {
    const migration = migrations();
    for (const statement of splitStatements(schemaSql('postgresql'))) expect(migration).toContain(statement);
  });

  it('next build leaves the cron and status routes dynamic and touches no row', async () => {
    // Rows a build that ran a tick would claim, send and change.
    const seed = createQueue({ adapter: pgAdapter(pool), name: 'outgoing' });
    await seed.enqueue(
      { to: '+33600000001', text: 'queued before the deploy', messageId: 'seed-1' },
      { groupKey: 'conversation:+33600000001' },
    );
    await seed.enqueue(
      { to: '+33600000002', text: 'queued before the deploy', messageId: 'seed-2' },
      { groupKey: 'conversation:+33600000002' },
    );
    const before = await rows();

    const output = await nextBuild(env);
    for (const route of [...CRON_ROUTES, '/api/status']) expect(output).toMatch(new RegExp(`ƒ ${route}\\b`));
    expect(output).toMatch(/ƒ \/admin\/queues\/\[\[\.\.\.path\]\]/);
    const manifest = JSON.parse(readFileSync(join(APP, '.next', 'prerender-manifest.json'), 'utf8')) as { routes: Record<string, unknown> };
    for (const route of [...CRON_ROUTES, '/api/status']) expect(Object.keys(manifest.routes)).not.toContain(route);

    expect(await rows()).toEqual(before);
    expect((await pool.query('SELECT count(*)::int AS n FROM msgqueue_locks')).rows[0].n).toBe(0);
    expect(provider.arrivals).toEqual([]);
  }, 240_000);

  it('refuses cron, status and webhook calls without their secret, touching nothing', async () => {
    instances.push(await startInstance(env), await startInstance(env));
    const before = await rows();
    for (const instance of instances) {
      for (const path of [...CRON_ROUTES, '/api/status']) {
        expect((await call(instance, path)).status).toBe(401);
        const wrong = await call(instance, path, { headers: { authorization: 'Bearer not-the-secret' } });
        expect(wrong.status).toBe(401);
        expect(wrong.headers.get('cache-control')).toBe('no-store');
      }
      const hook = await call(instance, '/api/webhook', { method: 'POST', body: JSON.stringify({ id: 'x', from: '+1', text: 'hi' }) });
      expect(hook.status).toBe(401);
      // The status page: nothing without a session; a POST without one changes nothing.
      const admin = await call(instance, '/admin/queues', { redirect: 'manual' });
      expect(admin.status).toBe(303);
      expect(admin.headers.get('location')).toBe('/admin/queues/login');
      expect(
        (
          await call(instance, '/admin/queues/login', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'secret=guess',
            redirect: 'manual',
          })
        ).status,
      ).toBe(401);
      const signIn = await call(instance, '/admin/queues/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `secret=${ADMIN_SECRET}`,
        redirect: 'manual',
      });
      expect(signIn.status).toBe(303);
      const session = signIn.headers.get('set-cookie')!.split(';')[0]!;
      const view = await call(instance, '/admin/queues', { headers: { cookie: session } });
      expect(view.status).toBe(200);
      expect(view.headers.get('content-security-policy')).toContain("default-src 'none'");
      const html = await view.text();
      expect(html).toContain('<h2 id="q-outgoing">outgoing');
      expect(html).toContain('<h2 id="q-incoming">incoming');
      // A list never shows a payload; a message's page shows it when asked, its phone number masked (the
      // group key still names the conversation).
      const seeded = before.find((r) => r.payload.messageId === 'seed-1')!;
      const list = await (
        await call(instance, '/admin/queues/messages?queue=outgoing&list=pending', { headers: { cookie: session } })
      ).text();
      expect(list).toContain(seeded.id);
      expect(list).not.toContain('queued before the deploy');
      const shown = await (
        await call(instance, `/admin/queues/message?queue=outgoing&id=${seeded.id}&payload=1`, { headers: { cookie: session } })
      ).text();
      expect(shown).toContain('&#34;to&#34;: &#34;+336…01&#34;');
      expect(shown).not.toContain('&#34;to&#34;: &#34;+33600000001&#34;');
      expect(shown).toContain('queued before the deploy');
      // The monitor's secret opens the status route only; the cron secret does not open it.
      expect((await cron(instance, '/api/status')).status).toBe(401);
      expect((await call(instance, CRON_ROUTES[0]!, { headers: { authorization: `Bearer ${STATUS_SECRET}` } })).status).toBe(401);
      // HEAD (Next.js answers it with GET) runs no tick, whatever the secret.
      expect((await call(instance, CRON_ROUTES[0]!, { method: 'HEAD', headers: { authorization: `Bearer ${CRON_SECRET}` } })).status).toBe(
        405,
      );
    }
    expect(await rows()).toEqual(before);
    expect(provider.arrivals).toEqual([]);
  }, 120_000);

  it('delivers every text once (a replay only under the same key, after a fault), keeps each conversation in order, and reports the table as it is', async () => {
    const [a, b] = instances as [Instance, Instance];

    // Outgoing texts through the page's form (the server action), as a browser without JS posts it.
    const page = await (await call(a, '/')).text();
    const actionField = /name="(\$ACTION_ID_[^"]+)"/.exec(page)?.[1];
    expect(actionField, 'the page renders the form with its server action').toBeTruthy();
    const formTexts: { phone: string; text: string }[] = [];
    for (let i = 0; i < 12; i++) formTexts.push({ phone: i < 2 ? BLOCKED_NUMBER : `+3361000000${i % 4}`, text: `form text ${i}` });
    for (const { phone, text } of formTexts) {
      const form = new FormData();
      form.set(actionField!, '');
      form.set('phone', phone);
      form.set('text', text);
      const res = await call(a, '/', { method: 'POST', body: form, redirect: 'manual' });
      expect(res.status, await res.text().catch(() => '')).toBeLessThan(400);
    }

    // Received texts through the provider's webhook: 4 conversations × 5, in order per conversation.
    const hook = (instance: Instance, id: string, from: string, text: string) =>
      call(instance, '/api/webhook', {
        method: 'POST',
        headers: { authorization: `Bearer ${WEBHOOK_SECRET}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, from, text }),
      }).then(async (r) => {
        expect(r.status).toBe(200);
        return (await r.json()) as { created: boolean };
      });
    await Promise.all(
      [0, 1, 2, 3].map(async (c) => {
        for (let s = 0; s < 5; s++)
          expect(await hook(c % 2 ? a : b, `wa-${c}-${s}`, `+3362000000${c}`, `question ${s}`)).toEqual({ created: true });
      }),
    );
    expect(await hook(b, 'wa-0-0', '+33620000000', 'question 0')).toEqual({ created: false }); // a redelivered webhook

    // Both instances call both cron routes at once, round after round, until nothing is left in flight.
    const summaries: RunSummary[] = [];
    const deadline = Date.now() + 150_000;
    for (;;) {
      const answers = await Promise.all([a, b].flatMap((i) => CRON_ROUTES.map((r) => cron(i, r))));
      for (const res of answers) {
        expect(res.status).toBe(200);
        summaries.push((await res.json()) as RunSummary);
      }
      const open = (
        await pool.query(`SELECT count(*)::int AS n FROM msgqueue_messages WHERE status IN ('PENDING', 'PROCESSING', 'SENDING')`)
      ).rows[0].n;
      if (open === 0) break;
      if (Date.now() > deadline) throw new Error(`still ${open} message(s) open; last rows:\n${JSON.stringify(await rows(), null, 1)}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    const all = await rows();
    const incoming = all.filter((r) => r.queue === 'incoming');
    const outgoing = all.filter((r) => r.queue === 'outgoing');
    // Every received text answered once: one reply row and one outgoing message each.
    expect(incoming).toHaveLength(20);
    expect(incoming.every((r) => r.status === 'SENT')).toBe(true);
    const replies = outgoing.filter((r) => r.payload.messageId.startsWith('reply:'));
    expect(replies.map((r) => r.payload.messageId).sort()).toEqual(incoming.map((r) => `reply:${r.payload.messageId}`).sort());
    const transcriptReplies = (await pool.query(`SELECT id FROM messages WHERE direction = 'out' AND id LIKE 'reply:%'`)).rows;
    expect(transcriptReplies).toHaveLength(20);
    // Outgoing: 2 seeded, 12 from the form, 20 replies; the blocked recipient's two failed for good.
    expect(outgoing).toHaveLength(34);
    const failed = outgoing.filter((r) => r.status === 'FAILED');
    expect(failed.map((r) => r.payload.to)).toEqual([BLOCKED_NUMBER, BLOCKED_NUMBER]);
    expect(failed.every((r) => /400/.test(r.last_error ?? ''))).toBe(true);
    expect(outgoing.filter((r) => r.status === 'SENT')).toHaveLength(32);

    // The provider's side: each SENT message delivered under its own key, the FAILED ones never; a
    // key seen twice only where the queue knows an earlier attempt may have arrived.
    const key = (r: Row) => `msgqueue:${r.queue}:${r.id}`;
    const smsDelivered = [...provider.delivered.values()].filter((d) => d.path === '/messages');
    expect(smsDelivered.map((d) => d.key).sort()).toEqual(
      outgoing
        .filter((r) => r.status === 'SENT')
        .map(key)
        .sort(),
    );
    const byKey = new Map(all.map((r) => [key(r), r]));
    const replayed = provider.arrivals.filter((x) => x.result === 'replayed');
    for (const x of replayed) expect(byKey.get(x.key)?.possibly_sent, x.key).toBe(true);
    // The faults did happen: refusals were retried, and answers lost or late were replayed.
    expect(provider.arrivals.filter((x) => x.result === 'refused').length).toBeGreaterThan(2);
    expect(replayed.length).toBeGreaterThan(0);
    const slow = all.filter((r) => provider.faultOf(key(r)) === 'slow' && r.status !== 'FAILED');
    expect(slow.length).toBeGreaterThan(5);
    expect(slow.every((r) => r.possibly_sent)).toBe(true); // answered after the lease: sent again under the same key

    // Order: the assistant saw each conversation's texts in the order they came; the provider
    // received each conversation's outgoing texts in the order they were queued.
    const assistantOrder = new Map<string, number[]>();
    for (const x of provider.arrivals.filter((x) => x.path === '/assistant')) {
      const [, c, s] = /^in:wa-(\d)-(\d)$/.exec(x.body.messageId!)!;
      assistantOrder.set(c!, [...(assistantOrder.get(c!) ?? []), Number(s)]);
    }
    expect(assistantOrder.size).toBe(4);
    for (const seqs of assistantOrder.values()) expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const queuedOrder = new Map(outgoing.map((r, i) => [key(r), i]));
    const perRecipient = new Map<string, number[]>();
    for (const d of smsDelivered.sort((x, y) => x.at - y.at)) {
      perRecipient.set(d.body.to!, [...(perRecipient.get(d.body.to!) ?? []), queuedOrder.get(d.key)!]);
    }
    for (const order of perRecipient.values()) expect(order).toEqual([...order].sort((x, y) => x - y));

    // The ticks' own accounts add up: every SENT message acknowledged once, by exactly one tick.
    expect(summaries.reduce((n, s) => n + s.sent, 0)).toBe(52);
    expect(summaries.every((s) => s.storageErrors === 0)).toBe(true);
    const skipped = summaries.filter((s) => s.skipped !== null).length;
    console.log(
      `[next-cron e2e] ${summaries.length} cron calls (${skipped} skipped: another tick ran), ${provider.arrivals.length} provider requests: ` +
        `${provider.arrivals.filter((x) => x.result === 'refused').length} refused, ${replayed.length} replayed under their key, ${slow.length} answered after the lease`,
    );

    // The status route says what the table holds.
    const status = await call(a, '/api/status', { headers: { authorization: `Bearer ${STATUS_SECRET}` } });
    expect(status.status).toBe(200);
    const body = (await status.json()) as StatusBody & { reports: (DiagnoseReport & { at: string })[] };
    expect(body.reports.map((r) => r.queue)).toEqual(['outgoing', 'incoming']);
    for (const report of body.reports) {
      const mine = all.filter((r) => r.queue === report.queue);
      expect(report.total).toBe(mine.length);
      for (const [s, n] of Object.entries(report.counts)) expect(n, `${report.queue} ${s}`).toBe(mine.filter((r) => r.status === s).length);
    }
    expect((await (await call(b, '/')).text()).includes('+33620000000')).toBe(true);
  }, 240_000);
});
