#!/usr/bin/env node
/**
 * Publish the packages whose versions `pnpm changeset version` set: refuses pending changesets and
 * (unless --dry-run) a dirty tree, builds, checks the tarballs (scripts/check-packages.mjs: publint,
 * attw, a scratch-project import), then `pnpm publish -r` — which skips versions already on the
 * registry, rewrites `workspace:` ranges and applies `publishConfig` — and tags the release.
 *
 *   pnpm release             publish (needs npm credentials)
 *   pnpm release --dry-run   everything but the upload and the tags
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dryRun = process.argv.includes('--dry-run');
const pnpm = ['npx', '-y', 'pnpm@10.34.9'];

function step(title, cmd, args) {
  console.log(`── ${title}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`✗ ${title} failed: nothing was published`);
    process.exit(1);
  }
}

const pending = readdirSync(join(root, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
if (pending.length > 0 && !dryRun) {
  console.error(`✗ ${pending.length} changeset(s) not applied: run \`pnpm changeset version\`, review and commit, then release.`);
  process.exit(1);
}
if (!dryRun) {
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
  if (status.stdout.trim() !== '') {
    console.error('✗ the working tree has uncommitted changes: commit them, then release.');
    process.exit(1);
  }
}
if (pending.length > 0)
  console.log(`(dry run: ${pending.length} changeset(s) still pending; \`pnpm changeset status\` shows the versions)`);

step('build', pnpm[0], [...pnpm.slice(1), 'build']);
step('check the tarballs', process.execPath, [join(root, 'scripts/check-packages.mjs')]);
step(dryRun ? 'publish (dry run)' : 'publish', pnpm[0], [
  ...pnpm.slice(1),
  'publish',
  '-r',
  '--access',
  'public',
  ...(dryRun ? ['--dry-run', '--no-git-checks'] : []),
]);
if (!dryRun) step('tag', pnpm[0], [...pnpm.slice(1), 'changeset', 'tag']);
console.log(dryRun ? 'release dry run: every step passed' : 'released');
