/**
 * The status page (#24's first part): no page without a session, a sign-in checked against the
 * secret, a signed HttpOnly SameSite=Strict cookie, CSRF on every POST, a CSP that allows no script,
 * every value escaped, and the queues' counts and findings as diagnose reads them.
 */
import { createQueue, memoryAdapter, statusPage } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

const SECRET = 'correct horse battery staple';
/** Markup that would run or style in place: an inline script, a style attribute, an event handler. */
const INLINE = /<script(?![^>]*\ssrc=)|\sstyle=|\son[a-z]+=/i;
const BASE = '/admin/queues';
const at = (path: string, init: RequestInit = {}) => new Request(`http://localhost${BASE}${path}`, init);
const form = (fields: Record<string, string>, cookie?: string): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
});

async function setup() {
  const q = createQueue<{ to: string }>({ adapter: memoryAdapter(), name: 'sms' });
  await q.enqueueMany([{ payload: { to: '+33600000001' } }, { payload: { to: '+33600000002' } }]);
  const page = statusPage({ queues: [q], basePath: BASE, secret: SECRET });
  return { q, page };
}

async function signIn(page: (r: Request) => Promise<Response>): Promise<string> {
  const res = await page(at('/login', form({ secret: SECRET })));
  expect(res.status).toBe(303);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}

describe('statusPage', () => {
  it('shows nothing without a session: the page sends to the sign-in form, a wrong secret is refused', async () => {
    const { page } = await setup();
    const first = await page(at('/'));
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe(`${BASE}/login`);
    const login = await page(at('/login'));
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('<input id="secret" name="secret" type="password"');
    expect(html).not.toMatch(INLINE);
    expect(login.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    );
    expect(login.headers.get('x-frame-options')).toBe('DENY');
    const wrong = await page(at('/login', form({ secret: 'guess' })));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('That is not the secret.');
    // A POST without a session changes nothing and asks to sign in.
    expect((await page(at('/logout', form({ csrf: 'x' })))).status).toBe(401);
  });

  it('signs in with an HttpOnly, SameSite=Strict cookie for its path (Secure over https), and shows the queues as diagnose reads them', async () => {
    const { q, page } = await setup();
    const res = await page(at('/login', form({ secret: SECRET })));
    expect(res.headers.get('set-cookie')).toMatch(
      /^msgqueue_session=[\w.-]+; Path=\/admin\/queues; HttpOnly; SameSite=Strict; Max-Age=28800$/,
    );
    const overTls = await page(new Request(`https://ops.example${BASE}/login`, form({ secret: SECRET })));
    expect(overTls.headers.get('set-cookie')).toMatch(/; Secure$/);

    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const view = await page(at('/', { headers: { cookie } }));
    expect(view.status).toBe(200);
    expect(view.headers.get('cache-control')).toBe('no-store');
    const html = await view.text();
    const report = await q.diagnose({ sampleSize: 0 });
    expect(html).toContain('<h2 id="q-sms">sms');
    for (const status of Object.keys(report.counts)) expect(html).toContain(`<th scope="col">${status}</th>`);
    const counts = /<table class="counts">[\s\S]*?<tbody><tr>([\s\S]*?)<\/tr><\/tbody>/.exec(html)![1]!;
    expect(
      counts
        .replace(/<[^>]+>/g, ' ')
        .trim()
        .split(/\s+/)
        .map(Number),
    ).toEqual([...Object.values(report.counts), report.total]);
    expect(counts).toContain(`<a href="${BASE}/messages?queue=sms&#38;list=pending">2</a>`);
    expect(html).toContain('<dt>Due now</dt><dd>2</dd>');
    expect(html).not.toContain(SECRET);
    expect(html).not.toMatch(INLINE);
    expect(html).toContain('<link rel="stylesheet" href="/admin/queues/page.css">');
    expect(html).toContain('<script src="/admin/queues/page.js" defer></script>');
    const js = await page(at('/page.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await js.text()).toContain('data-confirm');
    const css = await page(at('/page.css'));
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('lists the failed messages with their last error, escaped, and never a payload', async () => {
    const { q, page } = await setup();
    const [m] = (await q.claimBatch({ limit: 1 })).messages;
    await q.fail(m!, new Error('provider said <b>no</b>'), { retryable: false });
    const cookie = await signIn(page);
    const html = await (await page(at('/', { headers: { cookie } }))).text();
    expect(html).toContain('<h3>Failed (newest first) <a class="all"');
    expect(html).toContain(`${m!.id}</code></a></td><td>FAILED</td><td></td><td>1</td>`);
    expect(html).toContain('provider said &#60;b&#62;no&#60;/b&#62;');
    expect(html).not.toContain('+33600000001'); // the payloads' phone numbers
  });

  it('escapes every value it shows: a group key or note cannot inject markup', async () => {
    const { q, page } = await setup();
    await q.pause({ key: '<script>alert(1)</script>', note: '"><img src=x onerror=alert(1)>' });
    const cookie = await signIn(page);
    const html = await (await page(at('/', { headers: { cookie } }))).text();
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
  });

  it('refuses a POST without the session’s CSRF token; signs out with it', async () => {
    const { page } = await setup();
    const cookie = await signIn(page);
    const html = await (await page(at('/', { headers: { cookie } }))).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const forged = await page(at('/logout', form({ csrf: `${csrf.slice(0, -1)}A` }, cookie)));
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie')).toBeNull();
    const other = await signIn(page); // another session's token is not this one's
    const otherCsrf = /name="csrf" value="([^"]+)"/.exec(await (await page(at('/', { headers: { cookie: other } }))).text())![1]!;
    expect((await page(at('/logout', form({ csrf: otherCsrf }, cookie)))).status).toBe(403);
    const out = await page(at('/logout', form({ csrf }, cookie)));
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^msgqueue_session=; .*Max-Age=0/);
  });

  it('a tampered or foreign cookie is no session', async () => {
    const { page } = await setup();
    const cookie = await signIn(page);
    const [name, value] = cookie.split('=') as [string, string];
    const [expires, nonce, sig] = value.split('.') as [string, string, string];
    for (const bad of [`${Number(expires) + 1}.${nonce}.${sig}`, `${expires}.${nonce}.${sig.slice(1)}x`, 'garbage']) {
      expect((await page(at('/', { headers: { cookie: `${name}=${bad}` } }))).status).toBe(303);
    }
    const elsewhere = statusPage({ queue: createQueue({ adapter: memoryAdapter() }), basePath: BASE, secret: 'another secret, sixteen+' });
    expect((await elsewhere(at('/', { headers: { cookie } }))).status).toBe(303);
  });

  it("with the app's own authorize, no sign-in form: refused when it says no, in with a CSRF cookie when yes", async () => {
    const q = createQueue({ adapter: memoryAdapter() });
    const page = statusPage({ queue: q, basePath: BASE, secret: SECRET, authorize: (r) => r.headers.get('x-role') === 'admin' });
    expect((await page(at('/'))).status).toBe(403);
    const yes = await page(at('/', { headers: { 'x-role': 'admin' } }));
    expect(yes.status).toBe(200);
    expect(yes.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await page(at('/login'))).headers.get('location')).toBe(BASE);
  });

  it('without a secret it says how to set one; bad options are refused when made', async () => {
    const q = createQueue({ adapter: memoryAdapter() });
    const saved = process.env.MSGQUEUE_ADMIN_SECRET;
    delete process.env.MSGQUEUE_ADMIN_SECRET;
    try {
      const res = await statusPage({ queue: q })(new Request('http://localhost/'));
      expect(res.status).toBe(500);
      expect(await res.text()).toContain('MSGQUEUE_ADMIN_SECRET');
    } finally {
      if (saved !== undefined) process.env.MSGQUEUE_ADMIN_SECRET = saved;
    }
    expect(() => statusPage({ queue: q, secret: 'short' })).toThrow(expect.objectContaining({ field: 'statusPage.options.secret' }));
    expect(() => statusPage({ queue: q, basePath: 'admin/' })).toThrow(expect.objectContaining({ field: 'statusPage.options.basePath' }));
    expect(() => statusPage({ queue: q, queues: [q] })).toThrow(expect.objectContaining({ field: 'statusPage.options.queue' }));
  });
});
