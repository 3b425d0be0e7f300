/**
 * The guides' runnable blocks (```ts run) run here, as written, against the in-memory adapter: each
 * asserts what the guide says happens. Every other TypeScript block of the guides is type-checked by
 * `pnpm typecheck` (docs/scripts/snippets.mjs), so no guide's code can drift from the API.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without declarations.
import { extract, folderOf, sources } from '../scripts/snippets.mjs';

type Block = { file: string; line: number; code: string; run: boolean; skip: boolean };

const root = fileURLToPath(new URL('../..', import.meta.url));
const out = join(root, 'docs', '.snippets-run');
rmSync(out, { recursive: true, force: true });

const runnable = (sources() as string[]).flatMap((source) =>
  (extract(readFileSync(join(root, source), 'utf8')) as Block[]).filter((b) => b.run).map((b) => ({ source, ...b })),
);

describe('the guides’ runnable code', () => {
  it('has runnable blocks in the guides a newcomer reads first', () => {
    const guides = new Set(runnable.map((b) => b.source));
    for (const g of ['docs/getting-started.md', 'docs/concepts.md', 'docs/cron-recipes.md', 'docs/operations.md'])
      expect(guides).toContain(g);
  });

  for (const block of runnable) {
    it(`${block.source}:${block.line} runs as written`, async () => {
      const file = join(out, folderOf(block.source), `line-${block.line}.ts`);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, `${block.code}\nexport {};\n`);
      await import(file);
    });
  }
});
