/**
 * The status page in a real browser (headless Chromium, as the docs check uses), over PostgreSQL
 * holding the post-mortem's situations (cli's `seed`): signing in, the counts against SQL, every
 * operator action clicked through its dry run then its confirmation — each dry run listing the rows
 * and transitions `msgqueue … --json` plans for the same rows, and the table ending as that plan
 * says — pause and resume, and the refusals: no session, no CSRF token, a forged one. No script error
 * and no Content-Security-Policy violation on any page.
 */
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OperatorResult, statusPage, toNodeHandler } from '@org/msgqueue';
import { sql } from 'kysely';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, runCli, type Seeded, seed, type TestDatabase } from './support.js';

const SECRET = 'a status page secret, long enough';
const BASE = '/admin/queues';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** .ci/run sets it: there, a missing Chromium is a failure, not a skip. */
const REQUIRED = process.env.MSGQUEUE_REQUIRE_BROWSER === '1';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && REQUIRED) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);

// A page load and a click are fast, but a busy machine is slow: each test may take a minute.
describe.skipIf(!haveChromium)('the status page in headless Chromium, on PostgreSQL', { timeout: 60_000 }, () => {
  let t: TestDatabase;
  let s: Seeded;
  let server: Server;
  let origin: string;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const shots = mkdtempSync(join(tmpdir(), 'msgqueue-status-page-'));

  /** `msgqueue … --json` on the same database: the CLI's plan. */
  const cli = async (...args: string[]) => {
    const r = await runCli(['--database-url', t.url, ...args, '--json']);
    return JSON.parse(r.stdout) as OperatorResult;
  };
  /** The rows of the plan or result table on the page: [id, from, to]. */
  const planRows = () =>
    page.$$eval('table.plan tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((c) => c.textContent ?? '')),
    );
  const cliRows = (r: OperatorResult) => {
    expect(r.rows.length, 'the CLI plans at least one row').toBeGreaterThan(0);
    return r.rows.map((row) => [row.id, row.status, row.to]);
  };
  const statusOf = async (id: string) => (await t.queue().get(id))?.status ?? 'DELETED';
  /** Form fields with no accessible name (no label around or for them, no aria-label): none allowed. */
  const unlabeled = () =>
    page.$$eval('input:not([type=hidden]), select, textarea', (fields) =>
      fields
        .filter(
          (f) => !f.closest('label') && !f.getAttribute('aria-label') && !(f.id && f.ownerDocument.querySelector(`label[for="${f.id}"]`)),
        )
        .map((f) => f.outerHTML),
    );
  /** Click a button that posts an action, and wait for the page it answers with. */
  const submit = async (selector: string) => {
    await Promise.all([page.waitForURL((u) => u.pathname === `${BASE}/action`), page.click(selector)]);
  };
  /** Click through a confirmation (the served script asks first: accept). */
  const confirm = async () => {
    page.once('dialog', (d) => void d.accept());
    await submit('form.confirm button[type=submit]');
    // The result page replaced the plan page.
    await page.waitForSelector('h1:has-text(": done"), h1:has-text("Done")');
  };

  beforeAll(async () => {
    t = (await openDatabase('postgresql'))!;
    s = await seed(t);
    const handler = toNodeHandler(statusPage({ queue: t.queue(), basePath: BASE, secret: SECRET, refreshSeconds: 0 }));
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const address = server.address();
    origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`); // a CSP violation reports here
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
    await t?.close();
  });

  it('is refused without a session: every page sends to the sign-in form, every POST is refused', async () => {
    const anonymous = await browser.newContext();
    const p = await anonymous.newPage();
    await p.goto(`${origin}${BASE}/messages?queue=default&list=failed`);
    expect(new URL(p.url()).pathname).toBe(`${BASE}/login`);
    expect(await p.content()).not.toContain(s.failedTimeout);
    const post = await anonymous.request.post(`${origin}${BASE}/action`, {
      form: { queue: 'default', action: 'retry', id: s.failedTimeout, confirm: '1' },
      maxRedirects: 0,
    });
    expect(post.status()).toBe(401);
    await anonymous.close();
    expect(await statusOf(s.failedTimeout)).toBe('FAILED');
  });

  it('signs in and shows the counts the table holds', async () => {
    await page.goto(`${origin}${BASE}/`);
    await page.fill('#secret', SECRET);
    await Promise.all([page.waitForURL(`${origin}${BASE}`), page.click('form.login button')]);
    const cookie = (await page.context().cookies()).find((c) => c.name === 'msgqueue_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: BASE });
    const headers = await page.$$eval('table.counts thead th', (ths) => ths.map((th) => th.textContent));
    const cells = await page.$$eval('table.counts tbody td', (tds) => tds.map((td) => Number(td.textContent)));
    const shown = Object.fromEntries(headers.map((h, i) => [h, cells[i]]));
    const { rows } = await sql<{ status: string; n: string }>`SELECT status, COUNT(*) AS n FROM msgqueue_messages GROUP BY status`.execute(
      t.db,
    );
    const inTable = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
    for (const status of ['PENDING', 'PROCESSING', 'SENDING', 'SENT', 'FAILED', 'HELD', 'CANCELLED']) {
      expect(shown[status], status).toBe(inTable[status] ?? 0);
    }
    expect(shown.total).toBe(rows.reduce((sum, r) => sum + Number(r.n), 0));
    expect((await page.$$('input:not([type=hidden]), select')).length).toBeGreaterThan(0);
    expect(await unlabeled()).toEqual([]);
    await page.screenshot({ path: join(shots, 'overview.png'), fullPage: true });
    expect(statSync(join(shots, 'overview.png')).size).toBeGreaterThan(10_000);
  });

  it('retry: the dry run lists what `msgqueue retry` plans, changes nothing, and the confirmation does exactly it', async () => {
    const expected = await cli('retry', '--ids', s.failedTimeout);
    const before = await t.snapshot();
    await page.goto(`${origin}${BASE}/messages?queue=default&list=failed`);
    await page.check(`input[name=id][value="${s.failedTimeout}"]`);
    await submit('button[value=retry]');
    expect(await planRows()).toEqual(cliRows(expected));
    expect(await t.snapshot()).toEqual(before);
    await confirm();
    expect(await page.textContent('[role=status]')).toContain('1 message(s) changed.');
    expect(await statusOf(s.failedTimeout)).toBe('PENDING');
    expect(await statusOf(s.failedInvalid)).toBe('FAILED');
  });

  it('mark sent (a held message) and release stuck (a live claim, with force): each as the CLI plans it', async () => {
    const marked = await cli('mark-sent', s.held);
    await page.goto(`${origin}${BASE}/messages?queue=default&list=held`);
    await page.check(`input[name=id][value="${s.held}"]`);
    await submit('button[value=mark-sent]');
    expect(await planRows()).toEqual(cliRows(marked));
    await confirm();
    expect(await statusOf(s.held)).toBe('SENT');

    // Without force a live lease is refused, as the CLI refuses it; with force it is released.
    const refused = await cli('release-stuck', '--ids', s.live);
    expect(refused.refused.map((r) => r.reason)).toEqual(['lease-live']);
    await page.goto(`${origin}${BASE}/messages?queue=default&list=stuck`);
    expect(await unlabeled()).toEqual([]);
    await page.check(`input[name=id][value="${s.live}"]`);
    await submit('button[value=release-stuck]');
    expect(await page.textContent('ul.refused')).toContain('lease-live');
    expect(await page.$('form.confirm')).toBeNull();

    const forced = await cli('release-stuck', '--ids', s.live, '--force');
    await page.goto(`${origin}${BASE}/messages?queue=default&list=stuck`);
    await page.check(`input[name=id][value="${s.live}"]`);
    await page.check('input[name=force]');
    await submit('button[value=release-stuck]');
    expect(await planRows()).toEqual(cliRows(forced));
    await confirm();
    expect(await statusOf(s.live)).toBe('PENDING');
    // The worker that owned it is fenced out.
    expect((await t.queue().ack(s.worker)).ok).toBe(false);

    // The send that died mid-way: resend it (flagged possibly sent), as `--sending resend` plans.
    const resend = await cli('release-stuck', '--ids', s.sendingExpired, '--sending', 'resend');
    await page.goto(`${origin}${BASE}/messages?queue=default&list=stuck`);
    await page.check(`input[name=id][value="${s.sendingExpired}"]`);
    await page.selectOption('select[name=sending]', 'resend');
    await submit('button[value=release-stuck]');
    expect(await planRows()).toEqual(cliRows(resend));
    await page.screenshot({ path: join(shots, 'plan.png'), fullPage: true });
    await confirm();
    expect(await t.queue().get(s.sendingExpired)).toMatchObject({ status: 'PENDING', possiblySent: true });
  });

  it('cancel and purge: as the CLI plans them', async () => {
    const cancelled = await cli('cancel', '--ids', s.pending);
    await page.goto(`${origin}${BASE}/messages?queue=default&list=pending`);
    await page.check(`input[name=id][value="${s.pending}"]`);
    await page.fill('input[name=note]', 'customer unsubscribed');
    await submit('button[value=cancel]');
    expect(await planRows()).toEqual(cliRows(cancelled));
    await confirm();
    expect(await t.queue().get(s.pending)).toMatchObject({ status: 'CANCELLED', lastError: 'cancelled: customer unsubscribed' });

    const purged = await cli('purge', '--older-than', '1d');
    expect(purged.rows.map((r) => r.id)).toEqual([s.oldSent]);
    await page.goto(`${origin}${BASE}/messages?queue=default&list=sent&older_than=1440`);
    await submit('button[value=purge]');
    expect(await planRows()).toEqual(cliRows(purged));
    await confirm();
    expect(await statusOf(s.oldSent)).toBe('DELETED');
    expect(await statusOf(s.held)).toBe('SENT'); // sent a moment ago: kept
  });

  it('pause and resume the queue: the gate the CLI reads', async () => {
    await page.goto(`${origin}${BASE}/`);
    await page.fill('input[name=note]', 'provider incident #4121');
    await submit('button[value=pause]');
    expect(await page.textContent('main')).toContain('Pause the queue default until resumed');
    expect((await t.queue().gates()).gates).toEqual([]);
    await confirm();
    const gates = await runCli(['--database-url', t.url, 'gates', '--json']);
    expect(gates.stdout).toContain('provider incident #4121');
    await page.goto(`${origin}${BASE}/`);
    expect(await page.textContent('ul.gates')).toContain('The queue: paused until resumed — provider incident #4121');
    await submit('button[value=resume]');
    await confirm();
    expect((await t.queue().gates()).gates).toEqual([]);
  });

  it('refuses a form without its CSRF token, or with a forged one, in the signed-in browser', async () => {
    const before = await t.snapshot();
    for (const csrf of [undefined, 'forged-token']) {
      const res = await page.request.post(`${origin}${BASE}/action`, {
        form: { queue: 'default', action: 'retry', id: s.failedInvalid, confirm: '1', ...(csrf ? { csrf } : {}) },
      });
      expect(res.status()).toBe(403);
      expect(await res.text()).toContain('CSRF token did not match');
    }
    expect(await t.snapshot()).toEqual(before);
    expect(problems).toEqual([]);
  });
});
