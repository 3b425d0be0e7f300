#!/usr/bin/env node
/**
 * Import circles among a folder's TypeScript files — every relative import counted, `import type`
 * and `export … from` included: a circle of types still ties the files into one knot — and among its
 * subfolders: each subfolder is one node (a file at the top is a node of its own), so the folders
 * stay layers, each importing only from the ones below it.
 *
 *   node scripts/import-cycles.mjs [folder …]     (default: every packages/<name>/src)
 *
 * Prints each circle (a strongly connected set of files or of folders, one of its cycles spelled out);
 * exits 1 when there is one.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The relative imports of each file, resolved to files of the folder. */
function graph(dir) {
  const nodes = files(dir);
  const edges = new Map(nodes.map((n) => [n, []]));
  for (const file of nodes) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s+'(\.[^']+)'/g)) {
      const target = resolve(dirname(file), m[1].replace(/\.js$/, '.ts'));
      if (edges.has(target) && !edges.get(file).includes(target)) edges.get(file).push(target);
    }
  }
  return edges;
}

/** The same graph with each subfolder of `dir` as one node (a top-level file stays a node): node → the nodes it imports. */
export function folderGraph(dir) {
  const nodeOf = (file) => relative(dir, file).split(/[\\/]/)[0];
  const edges = new Map();
  for (const [file, targets] of graph(dir)) {
    const from = nodeOf(file);
    if (!edges.has(from)) edges.set(from, []);
    for (const t of targets) {
      const to = nodeOf(t);
      if (to !== from && !edges.get(from).includes(to)) edges.get(from).push(to);
    }
  }
  for (const targets of [...edges.values()]) for (const t of targets) if (!edges.has(t)) edges.set(t, []);
  return edges;
}

/** Import circles among the files of `dir` (each with one cycle through it); paths relative to the repository. */
export function cycles(dir) {
  return components(graph(dir)).map((c) => ({
    files: c.files.map((f) => relative(root, f)).sort(),
    cycle: c.cycle.map((f) => relative(root, f)),
  }));
}

/** Import circles among the subfolders of `dir` (a top-level file counts as a folder of its own). */
export function folderCycles(dir) {
  return components(folderGraph(dir)).map((c) => ({ folders: [...c.files].sort(), cycle: c.cycle }));
}

/** Strongly connected components of more than one node (Tarjan), each with one cycle through them. */
function components(edges) {
  let index = 0;
  const indices = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (v) => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indices.get(w)));
    }
    if (low.get(v) === indices.get(v)) {
      const component = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || edges.get(v).includes(v)) components.push(component);
    }
  };
  for (const v of edges.keys()) if (!indices.has(v)) visit(v);
  return components.map((component) => {
    // One cycle through the component: walk edges inside it until a file repeats.
    const inside = new Set(component);
    const path = [component[0]];
    for (;;) {
      const next = edges.get(path.at(-1)).find((w) => inside.has(w));
      const at = path.indexOf(next);
      if (at >= 0)
        return { files: component.map((f) => relative(root, f)).sort(), cycle: [...path.slice(at), next].map((f) => relative(root, f)) };
      path.push(next);
    }
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const folders = process.argv.slice(2).length
    ? process.argv.slice(2)
    : readdirSync(join(root, 'packages'))
        .map((p) => join('packages', p, 'src'))
        .filter((p) => existsSync(join(root, p)) && statSync(join(root, p)).isDirectory());
  let found = 0;
  for (const folder of folders) {
    const circles = cycles(resolve(root, folder));
    const folderCircles = folderCycles(resolve(root, folder));
    found += circles.length + folderCircles.length;
    console.log(`${folder}: ${circles.length === 0 ? 'no import circle among files' : `${circles.length} import circle(s) among files`}`);
    for (const c of circles) console.log(`  ${c.files.length} files, e.g. ${c.cycle.join(' → ')}`);
    console.log(
      `${folder}: ${folderCircles.length === 0 ? 'no import circle among folders' : `${folderCircles.length} import circle(s) among folders`}`,
    );
    for (const c of folderCircles) console.log(`  ${c.folders.length} folders, e.g. ${c.cycle.join(' → ')}`);
  }
  process.exit(found > 0 ? 1 : 0);
}
