#!/usr/bin/env node
/**
 * The guides' code cannot rot: every ```ts block of the guides (docs/*.md), the root README and the
 * package READMEs is written out as a module and type-checked (`pnpm typecheck` runs this); blocks
 * fenced ```ts run are also executed by docs/test/guides.test.ts.
 *
 * Conventions for a block:
 * - a first line `// path/to/file.ts` names the file (other blocks of the same guide import it as
 *   `@/path/to/file`); otherwise the block is `block-<line>.ts`;
 * - `@/lib/prisma` is a Prisma 7 client over the Next.js example's schema (docs/support/);
 * - ```ts nocheck, or a first line ending in `(excerpt)`, skips the block (an excerpt of a file that is
 *   checked where it lives).
 *
 *   node docs/scripts/snippets.mjs          write docs/.snippets/ and type-check it
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const docs = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const root = resolve(docs, '..');
export const OUT = join(docs, '.snippets');

/** The Markdown files whose TypeScript is checked, relative to the repository root. */
export function sources() {
  const guides = readdirSync(docs)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`);
  const readmes = readdirSync(join(root, 'packages')).map((p) => `packages/${p}/README.md`);
  return ['README.md', ...guides, ...readmes];
}

/**
 * The TypeScript blocks of one Markdown text.
 * @returns `{ file, line, code, run, skip }` for each block, `file` relative to its guide's folder.
 */
export function extract(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(ts|typescript)\b(.*)$/.exec(lines[i]);
    if (!open) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !lines[end].startsWith('```')) end++;
    const code = lines.slice(start, end).join('\n');
    const first = lines[start] ?? '';
    const info = open[2];
    const named = /^\/\/ ([\w./-]+\.ts)\s*$/.exec(first);
    blocks.push({
      file: named ? named[1] : `block-${start}.ts`,
      line: start,
      code,
      run: /\brun\b/.test(info),
      // An excerpt, or the example app's own file (checked where it lives, and against the README by its test).
      skip: /\bnocheck\b/.test(info) || /\(excerpt\)/.test(first) || /^\/\/ examples\//.test(first),
    });
    i = end;
  }
  return blocks;
}

/** Folder name of a source's snippets: `docs/concepts.md` → `docs-concepts`. */
export function folderOf(source) {
  return source.replace(/\.md$/, '').replace(/[/.]/g, '-');
}

/** Write every checked block under docs/.snippets/<source>/; answers where each came from. */
export function writeAll() {
  rmSync(OUT, { recursive: true, force: true });
  const origins = new Map();
  const folders = [];
  for (const source of sources()) {
    const folder = join(OUT, folderOf(source));
    const blocks = extract(readFileSync(join(root, source), 'utf8')).filter((b) => !b.skip);
    if (blocks.length === 0) continue;
    folders.push(folder);
    for (const b of blocks) {
      const path = join(folder, b.file);
      mkdirSync(dirname(path), { recursive: true });
      // A block without imports or exports would be a script sharing one global scope with the others.
      writeFileSync(path, `${b.code}\nexport {};\n`);
      origins.set(path, { source, line: b.line });
    }
  }
  // `@/x` resolves in the guide's own folder first, then to the shared support files.
  const paths = { '@/*': [...folders.map((f) => `${relative(docs, f)}/*`), 'support/*'] };
  writeFileSync(
    join(OUT, 'tsconfig.json'),
    JSON.stringify(
      { extends: '../tsconfig.snippets.json', compilerOptions: { baseUrl: '..', paths }, include: ['./**/*.ts', '../support/**/*.ts'] },
      null,
      2,
    ),
  );
  return origins;
}

if (process.argv[1] && basename(process.argv[1]) === 'snippets.mjs') {
  const origins = writeAll();
  console.log(`type-checking ${origins.size} blocks from the guides and READMEs`);
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(OUT, 'tsconfig.json'), '--pretty', 'false'], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) {
    // Point each error at the guide and line it comes from.
    for (const line of `${r.stdout}${r.stderr}`.split('\n').filter(Boolean)) {
      const m = /^(.+?)\((\d+),(\d+)\): (.*)$/.exec(line);
      const at = m && origins.get(resolve(root, m[1])); // tsc prints paths relative to its cwd, the root
      console.error(at ? `${at.source}:${at.line + Number(m[2]) - 1}: ${m[4]}` : line);
    }
    process.exit(1);
  }
  console.log('guides and READMEs: every TypeScript block type-checks');
}
