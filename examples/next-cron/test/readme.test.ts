/**
 * The README's "In your app" snippets are this example's code: a block that opens with
 * `// examples/<path>` is that file, verbatim (or, marked "(excerpt)", pieces of it between `// …`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n(\/\/ (examples\/\S+)[^\n]*)\n([\s\S]*?)```/g)].map((m) => ({
  header: m[1]!,
  path: m[2]!,
  body: m[3]!,
}));

describe("the README's snippets of the example", () => {
  it('are there', () => {
    expect(blocks.map((b) => b.path)).toEqual(
      expect.arrayContaining(['examples/next-cron/lib/queues.ts', 'examples/next-cron/app/api/cron/process-queue/route.ts']),
    );
  });

  for (const { header, path, body } of blocks) {
    it(`${path} ${header.includes('(excerpt)') ? 'holds each piece shown' : 'is shown whole'}`, () => {
      const file = readFileSync(join(root, path), 'utf8');
      if (!header.includes('(excerpt)')) return expect(body).toBe(file);
      for (const piece of body.split(/^\/\/ …\n/m)) expect(file).toContain(piece);
    });
  }
});
