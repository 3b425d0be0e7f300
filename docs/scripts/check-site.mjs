#!/usr/bin/env node
/**
 * Opens the built site (docs/api, from `pnpm docs:build`) in headless Chromium, the way a reader
 * would: serves it on localhost, starts from index.html, follows every internal link, and fails on a
 * page that does not load, a page whose scripts throw or log an error, a broken internal link or
 * anchor, or a guide that is not reachable from the index.
 *
 *   node docs/scripts/check-site.mjs [--screenshot <dir>]      (pnpm docs:check)
 *
 * Chromium: CHROMIUM_PATH, else /usr/bin/chromium (Debian's `chromium` package: .ci/run installs it).
 */
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(docs, 'api');
const shotsAt = process.argv.indexOf('--screenshot');
const shots = shotsAt > 0 ? resolve(process.argv[shotsAt + 1] ?? 'site-shots') : null;
const GUIDES = [
  'Getting started',
  'Concepts',
  'Adopting an existing table',
  'Cron recipes',
  'Operations runbook',
  'Writing an adapter',
  'Performance and reliability',
  'Migrating from pg-boss or graphile-worker',
];

if (!existsSync(join(site, 'index.html'))) {
  console.error('✗ docs/api/index.html is missing: run `pnpm docs:build` first');
  process.exit(1);
}
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  console.error(`✗ no Chromium at ${executablePath}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH`);
  process.exit(1);
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^([/\\])+/, '');
  // typedoc ships no favicon; a browser asks anyway.
  if (path === 'favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  const file = join(site, path === '' ? 'index.html' : path);
  if (!file.startsWith(site) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;

// The flags this machine needs: no sandbox as root, and no background traffic to a closed network.
const browser = await chromium.launch({
  executablePath,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const problems = [];
const visited = new Map(); // url without hash → { title, anchors }
const linksFrom = []; // { from, href }
try {
  const page = await browser.newPage();
  let current = '';
  page.on('pageerror', (e) => problems.push(`${current}: script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${current}: console error: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${current}: ${r.url().slice(origin.length)} answered ${r.status()}`);
  });
  page.on('requestfailed', (r) => problems.push(`${current}: request failed: ${r.url()} (${r.failure()?.errorText})`));
  const queue = [`${origin}/index.html`];
  while (queue.length > 0) {
    const url = queue.shift();
    if (visited.has(url)) continue;
    current = url.slice(origin.length);
    const response = await page.goto(url, { waitUntil: 'load' });
    if (response?.status() !== 200) {
      problems.push(`${current}: HTTP ${response?.status() ?? 'no response'}`);
      visited.set(url, { title: '', anchors: new Set() });
      continue;
    }
    const { title, anchors, hrefs, h1 } = await page.evaluate(() => ({
      title: document.title,
      h1: document.querySelector('.tsd-page-title h1, h1')?.textContent ?? '',
      anchors: [...document.querySelectorAll('[id], a[name]')].map((e) => e.id || e.getAttribute('name')),
      hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.href),
    }));
    if (!h1.trim()) problems.push(`${current}: the page has no heading (did it render?)`);
    visited.set(url, { title, anchors: new Set(anchors) });
    if (shots && url.includes('/documents/')) {
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, `${current.replace(/\W+/g, '_')}.png`), fullPage: false });
    }
    for (const href of hrefs) {
      if (!href.startsWith(origin)) continue;
      linksFrom.push({ from: current, href });
      const target = href.split('#')[0];
      if (!visited.has(target) && target.endsWith('.html')) queue.push(target);
      else if (!target.endsWith('.html') && !target.endsWith('/')) {
        const file = join(site, decodeURIComponent(new URL(target).pathname));
        if (!existsSync(file)) problems.push(`${current}: broken link ${href.slice(origin.length)}`);
      }
    }
  }
  // Every internal link lands on a page that loaded, and on an anchor that exists there.
  for (const { from, href } of linksFrom) {
    const [target, hash] = href.split('#');
    if (!target.endsWith('.html')) continue;
    const seen = visited.get(target);
    if (!seen || seen.title === '') problems.push(`${from}: broken link ${href.slice(origin.length)}`);
    else if (hash && !seen.anchors.has(decodeURIComponent(hash)))
      problems.push(`${from}: link to a missing anchor ${href.slice(origin.length)}`);
  }
  const titles = [...visited.values()].map((v) => v.title);
  for (const guide of GUIDES) {
    if (!titles.some((t) => t.startsWith(`${guide} |`))) problems.push(`the guide "${guide}" is not reachable from the index`);
  }
} finally {
  await browser.close();
  server.close();
}

const unique = [...new Set(problems)];
for (const p of unique) console.error(`✗ ${p}`);
console.log(`site: ${visited.size} pages opened in Chromium, ${linksFrom.length} internal links followed, ${unique.length} problem(s)`);
process.exit(unique.length > 0 ? 1 : 0);
