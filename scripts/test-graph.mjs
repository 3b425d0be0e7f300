#!/usr/bin/env node
/**
 * What the tests import across the workspace: for each workspace folder's tests (and the scripts
 * beside them: chaos, bench), the other workspace folders they reach — a package by its name, or a
 * file by a relative path. A test may import any package (its own sources, those below it, the
 * private @org/msgqueue-test-support); it must never reach into another folder's `test/` files.
 *
 *   node scripts/test-graph.mjs      print the graph; exit 1 on a test reaching into another's tests
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Workspace folders and their package names. */
function workspaces() {
  const out = [];
  for (const parent of ['packages', 'examples']) {
    for (const name of readdirSync(join(root, parent))) out.push(join(parent, name));
  }
  out.push('bench', 'docs', 'test-support', '.ci');
  return out
    .filter((dir) => statSync(join(root, dir), { throwIfNoEntry: false })?.isDirectory())
    .map((dir) => {
      let name = dir;
      try {
        name = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')).name ?? dir;
      } catch {}
      return { dir, name };
    });
}

/** TypeScript files below `dir`, without node_modules, builds and generated code. */
function files(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (['node_modules', 'dist', 'generated', '.next', '.build'].includes(entry.name)) continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx|mts|mjs)$/.test(entry.name)) out.push(p);
  }
  return out;
}

/** Edges from test code to other workspace folders, and the forbidden ones. */
export function testGraph() {
  const spaces = workspaces();
  const byName = new Map(spaces.map((s) => [s.name, s.dir]));
  const owner = (path) => spaces.find((s) => path === join(root, s.dir) || path.startsWith(join(root, s.dir) + sep))?.dir;
  const edges = new Map();
  const forbidden = [];
  for (const { dir } of spaces) {
    const testDirs = ['test', 'chaos', 'bench', 'src']
      .map((d) => join(root, dir, d))
      .filter((d) => statSync(d, { throwIfNoEntry: false })?.isDirectory());
    // Only test code: a package's src/ counts for the folders that are test code themselves.
    const scan = testDirs.filter((d) => !d.endsWith(`${sep}src`) || ['bench', 'test-support', '.ci'].includes(dir));
    if (dir === '.ci') scan.push(join(root, '.ci'));
    for (const file of [
      ...new Set(
        scan.flatMap((d) =>
          d === join(root, '.ci')
            ? readdirSync(d)
                .filter((f) => f.endsWith('.ts'))
                .map((f) => join(d, f))
            : files(d),
        ),
      ),
    ]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
        const spec = m[1];
        let target;
        let intoTests = false;
        if (spec.startsWith('.')) {
          const path = resolve(dirname(file), spec);
          target = owner(path);
          intoTests = target !== undefined && target !== dir && relative(join(root, target), path).split(sep)[0] === 'test';
        } else {
          const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
          target = byName.get(name);
        }
        if (!target || target === dir) continue;
        const key = `${dir} → ${target}`;
        edges.set(key, (edges.get(key) ?? 0) + 1);
        if (intoTests) forbidden.push(`${relative(root, file)} imports ${spec}`);
      }
    }
  }
  return { edges: [...edges.keys()].sort(), forbidden };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { edges, forbidden } = testGraph();
  console.log(edges.join('\n'));
  if (forbidden.length > 0) {
    console.error(`\ntests reaching into another folder's tests:\n${forbidden.join('\n')}`);
    process.exit(1);
  }
  console.log("\nno test reaches into another folder's test files");
}
