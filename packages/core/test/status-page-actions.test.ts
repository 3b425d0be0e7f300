/**
 * The status page's lists and actions (over the memory adapter; the browser test runs them on
 * PostgreSQL): filters and pages through `find`, payloads only when asked and through `redact`, each
 * action's dry run then its confirmation — equal to the queue's own call — read-only mode, bad input,
 * and sign-in throttling.
 */
import { createQueue, memoryAdapter, type Queue, statusPage } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

const SECRET = 'correct horse battery staple';
const BASE = '/ops';
type Page = (r: Request) => Promise<Response>;
const at = (path: string, init: RequestInit = {}) => new Request(`http://localhost${BASE}${path}`, init);
const post = (fields: URLSearchParams | Record<string, string>, cookie?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
});
const unescapeHtml = (s: string) => s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)));

/** A signed-in session: GET and POST as a browser would, with the session's CSRF token. */
async function session(page: Page) {
  const res = await page(at('/login', post({ secret: SECRET })));
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const get = async (path: string) => {
    const r = await page(at(path, { headers: { cookie } }));
    return { status: r.status, html: await r.text() };
  };
  const csrf = /name="csrf" value="([^"]+)"/.exec((await get('/')).html)![1]!;
  const send = async (fields: URLSearchParams | Record<string, string>, query = '') => {
    const body = new URLSearchParams(fields);
    if (!body.has('csrf')) body.set('csrf', csrf);
    const r = await page(at(`/action${query}`, post(body, cookie)));
    return { status: r.status, html: await r.text() };
  };
  return { cookie, csrf, get, send };
}

/** The fields of the confirmation form of a plan page, as the browser would post them. */
function confirmation(html: string): URLSearchParams {
  const form = /<form[^>]*class="confirm">([\s\S]*?)<\/form>/.exec(html);
  expect(form, 'a confirmation form').not.toBeNull();
  const fields = new URLSearchParams();
  for (const m of form![1]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.append(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  return fields;
}

async function failedMessages(q: Queue<{ to: string; n: number }>, n: number, error: string, groupKey?: string) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++)
    ids.push((await q.enqueue({ to: `+3360000${String(i).padStart(4, '0')}`, n: i }, groupKey ? { groupKey } : {})).id);
  for (const m of (await q.claimBatch({ limit: n })).messages) await q.fail(m, new Error(error), { retryable: false });
  return ids;
}

function setup(extra: Partial<Parameters<typeof statusPage>[0]> = {}) {
  const q = createQueue<{ to: string; n: number }>({ adapter: memoryAdapter(), name: 'sms' });
  const page = statusPage({ queues: [q], basePath: BASE, secret: SECRET, ...extra });
  return { q, page };
}

describe('statusPage lists', () => {
  it('pages through a list with its filter, shows group keys and never a payload on a list', async () => {
    const { q, page } = setup();
    await failedMessages(q, 55, 'provider said 500');
    await failedMessages(q, 3, 'invalid number', 'conversation:7');
    const s = await session(page);
    const first = await s.get('/messages?queue=sms&list=failed&error=provider');
    expect(first.status).toBe(200);
    expect(first.html.match(/name="id" value=/g)).toHaveLength(50);
    expect(first.html).toContain('Messages 1–50 (more on the next page)');
    expect(first.html).toContain('rel="next" href="/ops/messages?queue=sms&#38;list=failed&#38;error=provider&#38;page=2"');
    expect(first.html).not.toContain('+33600');
    const second = await s.get('/messages?queue=sms&list=failed&error=provider&page=2');
    expect(second.html.match(/name="id" value=/g)).toHaveLength(5);
    expect(second.html).toContain('rel="prev"');
    expect(second.html).not.toContain('rel="next"');
    // One claim takes a group's head only: one failed, two wait behind it.
    const group = await s.get('/messages?queue=sms&list=failed&group=conversation%3A7');
    expect(group.html.match(/<code>conversation:7<\/code>/g)).toHaveLength(1);
    expect(group.html).toContain('invalid number');
    const waiting = await s.get('/messages?queue=sms&list=pending&group=conversation%3A7');
    expect(waiting.html.match(/<code>conversation:7<\/code>/g)).toHaveLength(2);
    // "Retry all matching" cannot select by group key: the page says so rather than retry more than it shows.
    expect(group.html).toContain('Retry all matching: not with this filter');
    expect((await s.get('/messages?queue=nope&list=failed')).status).toBe(404);
  });

  it('shows a payload only when asked, through redact', async () => {
    const { q, page } = setup({ redact: (p: { to: string; n: number }) => ({ ...p, to: '•••' }) });
    const { id } = await q.enqueue({ to: '+33611111111', n: 1 });
    const s = await session(page);
    const plain = await s.get(`/message?queue=sms&id=${id}`);
    expect(plain.html).toContain('Show the payload');
    expect(plain.html).not.toContain('"n"');
    const shown = await s.get(`/message?queue=sms&id=${id}&payload=1`);
    expect(shown.html).toContain('&#34;to&#34;: &#34;•••&#34;');
    expect(shown.html).not.toContain('+33611111111');
    expect((await s.get('/message?queue=sms&id=missing')).status).toBe(404);

    // A redact that throws shows nothing of the payload, and says why.
    const broken = statusPage({
      queue: q,
      basePath: BASE,
      secret: SECRET,
      redact: () => {
        throw new Error('no phone numbers here');
      },
    });
    const b = await session(broken);
    const page2 = await b.get(`/message?queue=sms&id=${id}&payload=1`);
    expect(page2.status).toBe(200);
    expect(page2.html).toContain('(not shown: redact threw no phone numbers here)');
    expect(page2.html).not.toContain('+33611111111');
  });
});

describe('statusPage actions', () => {
  it('retry: the dry run shows the rows and changes nothing; the confirmation retries exactly those rows', async () => {
    const { q, page } = setup();
    const ids = await failedMessages(q, 3, 'provider said 500');
    const s = await session(page);
    const plan = await s.send({ queue: 'sms', list: 'failed', action: 'retry', status: 'FAILED', error: 'provider' });
    expect(plan.status).toBe(200);
    expect(plan.html).toContain('Dry run: 3 message(s) would change');
    for (const id of ids) expect(plan.html).toContain(`<td><code>${id}</code></td><td>FAILED</td><td>PENDING</td>`);
    expect((await q.diagnose({ sampleSize: 0 })).counts.FAILED).toBe(3);
    const expected = await q.retryMany({ status: 'FAILED', errorContains: 'provider', dryRun: true });

    // A message failing after the dry run is not in the plan: the confirmation does not touch it.
    const [late] = await failedMessages(q, 1, 'provider said 500');
    const fields = confirmation(plan.html);
    expect(fields.getAll('id').sort()).toEqual([...ids].sort());
    const done = await s.send(fields);
    expect(done.html).toContain('3 message(s) changed.');
    const after = await q.find({ status: ['FAILED', 'PENDING'], limit: 10 });
    expect(
      after.messages
        .filter((m) => m.status === 'PENDING')
        .map((m) => m.id)
        .sort(),
    ).toEqual(expected.rows.map((r) => r.id).sort());
    expect(after.messages.find((m) => m.id === late)!.status).toBe('FAILED');
  });

  it('mark sent, release stuck (with force), cancel by group, purge: each a dry run, then done on confirmation', async () => {
    const { q, page } = setup();
    const s = await session(page);
    const run = async (fields: Record<string, string>, ids: string[] = []) => {
      const body = new URLSearchParams({ queue: 'sms', ...fields });
      for (const id of ids) body.append('id', id);
      const plan = await s.send(body);
      expect(plan.status, plan.html).toBe(200);
      return { plan: plan.html, done: (await s.send(confirmation(plan.html))).html };
    };

    const [failed] = await failedMessages(q, 1, 'timeout');
    const marked = await run({ action: 'mark-sent', allow_failed: '1' }, [failed!]);
    expect(marked.plan).toContain('<td>FAILED</td><td>SENT</td>');
    expect(marked.done).toContain('1 message(s) changed.');
    expect((await q.get(failed!))!.status).toBe('SENT');

    const { id: live } = await q.enqueue({ to: '+33', n: 1 });
    await q.claimBatch({ limit: 1 }); // its lease runs for minutes: only force releases it
    const refused = await s.send(new URLSearchParams({ queue: 'sms', action: 'release-stuck', id: live }));
    expect(refused.html).toContain('lease-live');
    expect(refused.html).not.toContain('class="confirm"');
    const released = await run({ action: 'release-stuck', force: '1' }, [live]);
    expect(released.plan).toContain('<td>PROCESSING</td><td>PENDING</td>');
    expect((await q.get(live))!.status).toBe('PENDING');

    for (let i = 0; i < 2; i++) await q.enqueue({ to: '+33', n: i }, { groupKey: 'conversation:9' });
    const cancelled = await run({ action: 'cancel', group: 'conversation:9', note: 'customer left' });
    expect(cancelled.done).toContain('2 message(s) changed.');
    expect((await q.find({ status: 'CANCELLED' })).messages.map((m) => m.lastError)).toEqual([
      'cancelled: customer left',
      'cancelled: customer left',
    ]);

    const purged = await run({ action: 'purge', status: 'CANCELLED', older_than: '0' });
    expect(purged.plan).toContain('<td>CANCELLED</td><td>DELETED</td>');
    expect((await q.diagnose({ sampleSize: 0 })).counts.CANCELLED).toBe(0);
  });

  it('an action on every matching row ignores the rows ticked in the same form', async () => {
    const { q, page } = setup();
    const inGroup = [];
    for (let n = 0; n < 2; n++) inGroup.push((await q.enqueue({ to: '+33', n }, { groupKey: 'conversation:3' })).id);
    const { id: other } = await q.enqueue({ to: '+33', n: 9 });
    const s = await session(page);
    const list = await s.get('/messages?queue=sms&list=pending&group=conversation%3A3');
    expect(list.html).toContain('formaction="/ops/action?scope=matching"');
    expect(list.html).toContain('<input type="hidden" name="group" value="conversation:3">');
    const plan = await s.send({ queue: 'sms', list: 'pending', action: 'cancel', group: 'conversation:3', id: other }, '?scope=matching');
    expect(plan.html).toContain('Dry run: 2 message(s) would change');
    expect(confirmation(plan.html).getAll('id').sort()).toEqual(inGroup.sort());
    // The same ticked row with the button for the selected rows: the group filter narrows it to nothing.
    const selected = await s.send({ queue: 'sms', list: 'pending', action: 'cancel', group: 'conversation:3', id: inGroup[0]! });
    expect(selected.html).toContain('Dry run: 1 message(s) would change');
  });

  it('pause and resume: shown first, then done; the overview says so', async () => {
    const { q, page } = setup();
    const s = await session(page);
    const plan = await s.send({ queue: 'sms', action: 'pause', note: 'provider incident', for: '' });
    expect(plan.html).toContain('Pause the queue sms until resumed');
    expect((await q.gates()).gates.some((g) => g.key === null && g.paused)).toBe(false);
    expect((await s.send(confirmation(plan.html))).html).toContain('is paused until resumed — provider incident');
    expect((await q.gates()).gates.some((g) => g.key === null && g.paused)).toBe(true);
    expect((await s.get('/')).html).toContain('The queue: paused until resumed — provider incident');
    const group = await s.send({ queue: 'sms', action: 'pause', group: 'conversation:1', for: '5' });
    expect(group.html).toContain('Pause the group conversation:1 of sms for 5 min');
    await s.send(confirmation(group.html));
    expect((await q.gates()).gates.map((g) => [g.key, g.paused, g.pausedUntil !== null])).toEqual([
      [null, true, false],
      ['conversation:1', false, true],
    ]);
    await s.send(confirmation((await s.send({ queue: 'sms', action: 'resume' })).html));
    expect((await q.gates()).gates.some((g) => g.key === null && g.paused)).toBe(false);
  });

  it('refuses an action without the CSRF token, bad input before anything is written, and everything in read-only mode', async () => {
    const { q, page } = setup();
    const [id] = await failedMessages(q, 1, 'boom');
    const s = await session(page);
    expect((await s.send({ csrf: 'forged', queue: 'sms', action: 'retry', id: id!, confirm: '1' })).status).toBe(403);
    const noAge = await s.send({ queue: 'sms', action: 'purge', status: 'FAILED', confirm: '1' });
    expect(noAge.status).toBe(400);
    expect(noAge.html).toContain('Nothing was changed');
    expect((await s.send({ queue: 'sms', action: 'drop-table', confirm: '1' })).status).toBe(400);
    expect((await s.send({ queue: 'sms', action: 'release-stuck', sending: 'maybe', confirm: '1' })).status).toBe(400);
    expect((await s.send({ queue: 'other', action: 'retry', confirm: '1' })).status).toBe(404);
    expect((await q.get(id!))!.status).toBe('FAILED');

    const ro = statusPage({ queue: q, basePath: BASE, secret: SECRET, readOnly: true });
    const r = await session(ro);
    const list = await r.get('/messages?queue=sms&list=failed');
    expect(list.html).toContain(id!);
    expect(list.html).not.toMatch(/action="\/ops\/action"/);
    expect((await r.get('/')).html).not.toContain('value="pause"');
    const write = await r.send({ queue: 'sms', action: 'retry', id: id!, confirm: '1' });
    expect(write.status).toBe(403);
    expect((await q.get(id!))!.status).toBe('FAILED');
  });

  it('throttles sign-in: after 10 wrong secrets a minute from one client, even the right one waits', async () => {
    const { page } = setup();
    const from = (secret: string, ip: string) =>
      page(
        new Request(`http://localhost${BASE}/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
          body: new URLSearchParams({ secret }).toString(),
        }),
      );
    for (let i = 0; i < 10; i++) expect((await from(`guess ${i}`, '203.0.113.7')).status).toBe(401);
    const locked = await from(SECRET, '203.0.113.7');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await from(SECRET, '198.51.100.2')).status).toBe(303); // another client is not locked out
  });
});
