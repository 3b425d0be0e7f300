/**
 * The status page's screenshots in docs/images, over the Next.js example (examples/next-cron, built
 * and started as it would run) on a PostgreSQL database of its own, seeded with the post-mortem's
 * situations: messages stuck in PROCESSING after their worker died, a send that died mid-way, rows
 * left in flight by hand-rolled code, FAILED messages, one HELD for review, a conversation blocked
 * behind its stuck message, another paused by an operator.
 *
 *   pnpm docs:screenshots      (PostgreSQL on 127.0.0.1:5432, or DATABASE_ADMIN_URL; Chromium: CHROMIUM_PATH or /usr/bin/chromium)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { APP, nextBuild, prepareApp, startInstance } from '../../examples/next-cron/test/app.js';
import { buildWorkspacePackages } from '../../test-support/src/workspace-build.js';

const IMAGES = fileURLToPath(new URL('../images/', import.meta.url));
const ADMIN = process.env.DATABASE_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'msgqueue_screenshots';
const SECRET = 'screenshots-only-secret-0123456789';
const MINUTE = 60_000;

await buildWorkspacePackages(['core', 'sql', 'prisma']);
// Imported once built: the example runs on the built packages, and so does this seed.
const { createQueue } = await import('@org/msgqueue');
const { pgAdapter } = await import('@org/msgqueue-sql/pg');

const admin = new pg.Client({ connectionString: ADMIN });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
const url = new URL(ADMIN);
url.pathname = `/${DATABASE}`;
const pool = new pg.Pool({ connectionString: url.toString(), max: 3 });

try {
  const dir = join(APP, 'prisma', 'migrations');
  for (const name of readdirSync(dir).sort()) {
    if (statSync(join(dir, name)).isDirectory()) await pool.query(readFileSync(join(dir, name, 'migration.sql'), 'utf8'));
  }
  await seed();
  await prepareApp();
  const env = { DATABASE_URL: url.toString(), MSGQUEUE_ADMIN_SECRET: SECRET, CRON_SECRET: 'unused-here', STATUS_SECRET: 'unused-here' };
  await nextBuild(env);
  const app = await startInstance(env);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, colorScheme: 'light' });
    const base = `${app.url}/admin/queues`;
    await page.goto(`${base}/`);
    await page.fill('#secret', SECRET);
    await Promise.all([page.waitForURL(base), page.click('form.login button')]);
    const shot = async (name: string, fullPage = true) => {
      await page.screenshot({ path: join(IMAGES, name), fullPage });
      console.log(`✓ docs/images/${name}`);
    };
    await shot('status-page-overview.png');
    await page.goto(`${base}/messages?queue=outgoing&list=failed`);
    await shot('status-page-failed.png');
    await page.goto(`${base}/messages?queue=outgoing&list=stuck`);
    await page.check('tbody input[name=id] >> nth=0');
    await shot('status-page-stuck.png');
    await Promise.all([page.waitForURL(`${base}/action`), page.click('button[value=release-stuck]')]);
    await shot('status-page-plan.png');
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
    await phone.context().addCookies(await page.context().cookies());
    await phone.goto(`${base}/`);
    await phone.screenshot({ path: join(IMAGES, 'status-page-phone.png') });
    console.log('✓ docs/images/status-page-phone.png');
  } finally {
    await browser.close();
    await app.stop();
  }
} finally {
  await pool.end();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
}

/** Move rows' times back by `ms` (their lease, due time, creation and last change). */
async function age(ids: string[], ms: number): Promise<void> {
  await pool.query(
    `UPDATE msgqueue_messages SET lease_until = lease_until - $2 * interval '1 millisecond', available_at = available_at - $2 * interval '1 millisecond',
       created_at = created_at - $2 * interval '1 millisecond', updated_at = updated_at - $2 * interval '1 millisecond' WHERE id = ANY($1)`,
    [ids, ms],
  );
}

/** The post-mortem's table, through the queues' own API (and, for what old code left, SQL). */
async function seed(): Promise<void> {
  const adapter = pgAdapter(pool);
  const outgoing = createQueue<{ to: string; text: string; messageId: string }>({ adapter, name: 'outgoing', maxAttempts: 5 });
  const incoming = createQueue<{ from: string; text: string; messageId: string }>({ adapter, name: 'incoming' });
  const text = (n: number) => ({
    to: `+336000000${String(n).padStart(2, '0')}`,
    text: `Votre rendez-vous est confirmé (${n})`,
    messageId: `m-${n}`,
  });
  const group = (n: number) => ({ groupKey: `conversation:+336000000${String(n).padStart(2, '0')}` });

  // An hour of ordinary traffic.
  for (let n = 0; n < 24; n++) await outgoing.enqueue(text(n), group(n));
  for (const m of (await outgoing.claimBatch({ limit: 24 })).messages) {
    await outgoing.guardBeforeSend(m);
    await outgoing.ack(m);
  }
  for (let n = 0; n < 9; n++) await incoming.enqueue({ from: `+336100000${n}`, text: 'Merci !', messageId: `in-${n}` });
  for (const m of (await incoming.claimBatch({ limit: 8 })).messages) await incoming.ack(m);

  // Stuck in PROCESSING: their worker died 35 minutes ago; one heads a conversation that waits behind it.
  await outgoing.enqueue(text(40), group(40));
  await outgoing.enqueue(text(41), group(41));
  const stuck = (await outgoing.claimBatch({ limit: 2 })).messages.map((m) => m.id);
  for (let k = 0; k < 2; k++) await outgoing.enqueue({ ...text(40), text: `Message suivant ${k + 1}`, messageId: `m-40-${k}` }, group(40));
  // A send that died mid-way (SENDING, its lease long past).
  await outgoing.enqueue(text(42), group(42));
  const [sending] = (await outgoing.claimBatch({ limit: 1 })).messages;
  await outgoing.guardBeforeSend(sending!);
  await age([...stuck, sending!.id], 35 * MINUTE);
  // Left in flight without a lease by the hand-rolled code the queue replaced.
  await outgoing.enqueue(text(43), group(43));
  const [orphan] = (await outgoing.claimBatch({ limit: 1 })).messages;
  await pool.query(`UPDATE msgqueue_messages SET claim_token = NULL, lease_until = NULL WHERE id = $1`, [orphan!.id]);
  await age([orphan!.id], 2 * 60 * MINUTE);

  // FAILED: numbers the provider refuses, and a provider outage that outlasted the retries.
  for (const [n, error] of [
    [50, 'invalid number: +33600000050 is not a mobile number'],
    [51, 'invalid number: +33600000051 is not a mobile number'],
    [52, 'provider answered 503 Service Unavailable (5 attempts)'],
  ] as const) {
    await outgoing.enqueue(text(n), group(n));
    const [m] = (await outgoing.claimBatch({ limit: 1 })).messages;
    await outgoing.fail(m!, new Error(error), { retryable: false });
  }
  // HELD for review: its lease ran out after the pre-send guard, as an at-most-once queue holds it.
  await outgoing.enqueue(text(60), group(60));
  const [held] = (await outgoing.claimBatch({ limit: 1 })).messages;
  await pool.query(
    `UPDATE msgqueue_messages SET status = 'HELD', claim_token = NULL, lease_until = NULL, possibly_sent = true,
       last_error = 'lease expired after the pre-send guard: it may or may not have arrived' WHERE id = $1`,
    [held!.id],
  );
  // Waiting, and a conversation an operator paused.
  for (let n = 70; n < 73; n++) await outgoing.enqueue(text(n), group(n));
  await outgoing.pause({ key: 'conversation:+33600000070', note: 'customer asked us to stop — checking' });
}
