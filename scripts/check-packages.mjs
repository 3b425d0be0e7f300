#!/usr/bin/env node
/**
 * What a user installs, checked before it is published: packs every package under packages/ the way
 * `pnpm publish` would (its `prepack` builds it), then for each tarball
 *   - publint --strict, and Are the Types Wrong? (node16 profile; esm-only for ESM-only packages);
 *   - our own rules: no export condition points at a file missing from the tarball, no `source`
 *     condition, the core is a peer (never a dependency) of the other packages, LICENSE and a README
 *     whose links work on the npm site (absolute), the metadata npm shows;
 * and finally installs all tarballs into a scratch project outside the workspace and imports every
 * entry point from ESM and CommonJS, type-checks both (node16 and bundler resolution) and runs the
 * `msgqueue` binary.
 *
 *   node scripts/check-packages.mjs [--keep]     (pnpm check:packages)
 *
 * Exits 1 on the first package or step that fails, naming it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const pnpm = ['npx', '-y', 'pnpm@10.34.9'];
const work = mkdtempSync(join(tmpdir(), 'msgqueue-packages-'));
const problems = [];

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, status: r.status };
}
function must(label, r) {
  if (!r.ok) {
    console.error(r.out);
    fail(`${label} failed`);
  }
  return r.out;
}
function fail(message) {
  console.error(`✗ ${message}`);
  if (!keep) rmSync(work, { recursive: true, force: true });
  else console.error(`  (kept ${work})`);
  process.exit(1);
}

// 1. Pack, as publish would (workspace: ranges rewritten, publishConfig applied, prepack run).
const packs = join(work, 'packs');
mkdirSync(packs);
console.log('── pack (prepack builds each package)');
must('pnpm pack', run(pnpm[0], [...pnpm.slice(1), '-r', '--filter', './packages/**', 'pack', '--pack-destination', packs], { cwd: root }));
const tarballs = readdirSync(packs).filter((f) => f.endsWith('.tgz'));
if (tarballs.length === 0) fail('no tarball was packed');

const manifests = [];
for (const file of tarballs) {
  const tgz = join(packs, file);
  const dir = join(work, 'unpacked', file.replace(/\.tgz$/, ''));
  mkdirSync(dir, { recursive: true });
  must(`unpack ${file}`, run('tar', ['xzf', tgz, '-C', dir]));
  const pkgDir = join(dir, 'package');
  const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  manifests.push({ pkg, tgz });
  console.log(`── ${pkg.name}@${pkg.version}`);
  checkManifest(pkg, pkgDir);
  must(`publint ${pkg.name}`, run(bin('publint'), ['run', tgz, '--strict']));
  const esmOnly = !JSON.stringify(pkg.exports).includes('"require"');
  must(
    `attw ${pkg.name}`,
    run(bin('attw'), [tgz, '--profile', esmOnly ? 'esm-only' : 'node16', '--format', 'ascii', '--no-emoji', '--no-color']),
  );
  console.log(`   publint --strict ✓  attw (${esmOnly ? 'esm-only' : 'node16'}) ✓  manifest ✓`);
}
if (problems.length > 0) {
  for (const p of problems) console.error(`✗ ${p}`);
  fail(`${problems.length} packaging problem(s)`);
}

// 2. A scratch project outside the workspace installs the tarballs and uses them.
console.log('── scratch project: install the tarballs, import them from ESM and CJS, type-check, run the binary');
const scratch = join(work, 'scratch');
mkdirSync(scratch);
const byName = Object.fromEntries(manifests.map(({ pkg, tgz }) => [pkg.name, `file:${tgz}`]));
writeFileSync(
  join(scratch, 'package.json'),
  JSON.stringify(
    {
      name: 'msgqueue-scratch',
      private: true,
      type: 'module',
      dependencies: {
        ...byName,
        // The optional peers an app using those entry points has.
        '@opentelemetry/api': '1.9.0',
        'drizzle-orm': '0.45.4',
        kysely: '0.28.19',
        pg: '8.23.1',
        vitest: '4.1.12',
      },
      devDependencies: { typescript: '5.9.3', '@types/node': '20.19.43', '@types/pg': '8.23.1' },
      // The tarballs depend on each other by version; resolve those to the tarballs, not the registry.
      pnpm: { overrides: byName },
    },
    null,
    2,
  ),
);
must('install the tarballs', run(pnpm[0], [...pnpm.slice(1), 'install', '--prefer-offline', '--reporter=silent'], { cwd: scratch }));
writeScratchFiles(scratch);
must('ESM import', run(process.execPath, ['esm.mjs'], { cwd: scratch }));
must('CommonJS require', run(process.execPath, ['cjs.cjs'], { cwd: scratch }));
must(
  'types (node16, ESM and CJS)',
  run(process.execPath, [join(scratch, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.node16.json'], { cwd: scratch }),
);
must(
  'types (bundler)',
  run(process.execPath, [join(scratch, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.bundler.json'], { cwd: scratch }),
);
const help = must('msgqueue --help', run(join(scratch, 'node_modules/.bin/msgqueue'), ['--help'], { cwd: scratch }));
if (!help.includes('diagnose')) fail('msgqueue --help does not list diagnose');
const sql = must('msgqueue sql postgresql', run(join(scratch, 'node_modules/.bin/msgqueue'), ['sql', 'postgresql'], { cwd: scratch }));
if (!/CREATE TABLE/i.test(sql)) fail('msgqueue sql postgresql printed no CREATE TABLE');
console.log(`   ${tarballs.length} tarballs: ESM ✓  CJS ✓  types (node16, bundler) ✓  msgqueue binary ✓`);

if (!keep) rmSync(work, { recursive: true, force: true });
else console.log(`kept ${work}`);
console.log('packages: all checks passed');

/** The rules publint and attw do not know about. */
function checkManifest(pkg, pkgDir) {
  const name = pkg.name;
  const add = (m) => problems.push(`${name}: ${m}`);
  for (const field of ['description', 'keywords', 'homepage', 'bugs', 'repository', 'license', 'engines', 'sideEffects']) {
    if (pkg[field] === undefined) add(`package.json has no "${field}"`);
  }
  if (!pkg.scripts?.prepack && !existsSync(join(pkgDir, 'dist'))) add('nothing builds before packing (no prepack) and no dist/');
  if (!existsSync(join(pkgDir, 'LICENSE'))) add('LICENSE is not in the tarball');
  const walk = (node, path) => {
    if (typeof node === 'string') {
      if (node.includes('*')) {
        const base = node.slice(0, node.indexOf('*'));
        if (!existsSync(join(pkgDir, base))) add(`export ${path} points at ${node}, not in the tarball`);
      } else if (!existsSync(join(pkgDir, node))) add(`export ${path} points at ${node}, not in the tarball`);
      return;
    }
    for (const [k, v] of Object.entries(node ?? {})) {
      if (k === 'source') add(`export ${path} keeps a "source" condition`);
      walk(v, `${path}/${k}`);
    }
  };
  walk(pkg.exports, '');
  if (!pkg.exports?.['./package.json']) add('"./package.json" is not exported');
  for (const f of ['main', 'module', 'types']) if (pkg[f] && !existsSync(join(pkgDir, pkg[f]))) add(`"${f}" points at a missing ${pkg[f]}`);
  for (const target of Object.values(typeof pkg.bin === 'string' ? { x: pkg.bin } : (pkg.bin ?? {}))) {
    if (!existsSync(join(pkgDir, target))) add(`bin ${target} is not in the tarball`);
  }
  if (name !== '@org/msgqueue') {
    if (pkg.dependencies?.['@org/msgqueue']) add('@org/msgqueue is a dependency: it must be a peer (one copy of the core)');
    if (!pkg.peerDependencies?.['@org/msgqueue']) add('@org/msgqueue is not a peer dependency');
  }
  for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if (String(range).startsWith('workspace:')) add(`${dep} keeps a workspace: range`);
  }
  const readme = readFileSync(join(pkgDir, 'README.md'), 'utf8');
  for (const m of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (!/^(https?:|mailto:|#)/.test(m[1])) add(`README link "${m[1]}" is relative: it breaks on the npm site`);
  }
}

function writeScratchFiles(dir) {
  const w = (file, text) => writeFileSync(join(dir, file), `${text.trim()}\n`);
  // Every entry point loads from ESM; the core runs a tick on its in-memory adapter.
  w(
    'esm.mjs',
    `
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createQueue, memoryAdapter, MsgQueueError, cronHandler, toNodeHandler } from '@org/msgqueue';
import { openTelemetry } from '@org/msgqueue/opentelemetry';
import { schemaSql, sqlAdapter } from '@org/msgqueue-sql';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { kyselyAdapter } from '@org/msgqueue-sql/kysely';
import { drizzleAdapter } from '@org/msgqueue-sql/drizzle';
import { prismaAdapter, prismaStatementNames } from '@org/msgqueue-prisma';
import { runConformance } from '@org/msgqueue-conformance';
import { defineConfig } from '@org/msgqueue-cli';

const queue = createQueue({ adapter: memoryAdapter(), telemetry: openTelemetry() });
await queue.enqueue({ to: 'a' });
const sent = [];
const summary = await queue.runOnce({ send: async (m) => void sent.push(m.payload.to) });
assert.equal(summary.sent, 1);
assert.deepEqual(sent, ['a']);
assert.equal(typeof cronHandler({ queue, send: async () => {}, secret: 'x' }), 'function');
assert.throws(() => createQueue({ adapter: memoryAdapter(), leaseMs: -1 }), MsgQueueError);
assert.match(schemaSql('postgresql'), /CREATE TABLE/i);
for (const f of [toNodeHandler, sqlAdapter, pgAdapter, kyselyAdapter, drizzleAdapter, prismaAdapter, prismaStatementNames, runConformance, defineConfig]) {
  assert.equal(typeof f, 'function');
}
const require = createRequire(import.meta.url);
assert.match(readFileSync(require.resolve('@org/msgqueue-prisma/prisma/postgresql.prisma'), 'utf8'), /model/);
assert.match(readFileSync(require.resolve('@org/msgqueue-sql/sql/postgresql.sql'), 'utf8'), /CREATE TABLE/i);
assert.equal(require('@org/msgqueue/package.json').name, '@org/msgqueue');
`,
  );
  // CommonJS consumers of the dual packages (the conformance suite and the CLI are ESM only).
  w(
    'cjs.cjs',
    `
const assert = require('node:assert/strict');
const { createQueue, memoryAdapter, MsgQueueError } = require('@org/msgqueue');
const { openTelemetry } = require('@org/msgqueue/opentelemetry');
const { schemaSql } = require('@org/msgqueue-sql');
const { pgAdapter } = require('@org/msgqueue-sql/pg');
const { kyselyAdapter } = require('@org/msgqueue-sql/kysely');
const { drizzleAdapter } = require('@org/msgqueue-sql/drizzle');
const { prismaAdapter } = require('@org/msgqueue-prisma');
(async () => {
  const queue = createQueue({ adapter: memoryAdapter(), telemetry: openTelemetry() });
  await queue.enqueue(1);
  const summary = await queue.runOnce({ send: async () => {} });
  assert.equal(summary.sent, 1);
  assert.throws(() => createQueue({ adapter: memoryAdapter(), leaseMs: -1 }), MsgQueueError);
  assert.match(schemaSql('sqlite'), /CREATE TABLE/i);
  for (const f of [pgAdapter, kyselyAdapter, drizzleAdapter, prismaAdapter]) assert.equal(typeof f, 'function');
})().catch((e) => { console.error(e); process.exit(1); });
`,
  );
  const types = `
import { createQueue, memoryAdapter, type Queue, type RunSummary, type StorageAdapter } from '@org/msgqueue';
import { openTelemetry } from '@org/msgqueue/opentelemetry';
import { schemaSql } from '@org/msgqueue-sql';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { prismaAdapter } from '@org/msgqueue-prisma';
import { Pool } from 'pg';

const adapter: StorageAdapter = pgAdapter(new Pool());
const queue: Queue<{ to: string }> = createQueue<{ to: string }>({ adapter: memoryAdapter(), telemetry: openTelemetry() });
export async function tick(): Promise<RunSummary> {
  return queue.runOnce({ send: async (m) => void m.payload.to.toUpperCase() });
}
export const sql: string = schemaSql('mysql');
export const both = [adapter, prismaAdapter];
`;
  w(
    'types-esm.mts',
    `${types}\nimport { runConformance } from '@org/msgqueue-conformance';\nimport { defineConfig } from '@org/msgqueue-cli';\nexport const esmOnly = [runConformance, defineConfig];`,
  );
  w('types-cjs.cts', types);
  w('types-bundler.ts', `${types}\nimport { runConformance } from '@org/msgqueue-conformance';\nexport const esmOnly = [runConformance];`);
  const base = { strict: true, noEmit: true, skipLibCheck: false, target: 'ES2022', lib: ['ES2023', 'DOM'], types: ['node'] };
  w(
    'tsconfig.node16.json',
    JSON.stringify({
      compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16' },
      files: ['types-esm.mts', 'types-cjs.cts'],
    }),
  );
  w(
    'tsconfig.bundler.json',
    JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, files: ['types-bundler.ts'] }),
  );
}
