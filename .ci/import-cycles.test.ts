/** The packages' sources have no import circle, among files or among folders (node scripts/import-cycles.mjs). */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script, without types.
import { cycles, folderCycles, folderGraph } from '../scripts/import-cycles.mjs';

type Circle = { cycle: string[] };
const packages = fileURLToPath(new URL('../packages', import.meta.url));

describe('import circles', () => {
  for (const name of readdirSync(packages)) {
    it(`packages/${name}/src has none, among files or folders`, () => {
      const src = join(packages, name, 'src');
      expect((cycles(src) as Circle[]).map((c) => c.cycle.join(' → '))).toEqual([]);
      expect((folderCycles(src) as Circle[]).map((c) => c.cycle.join(' → '))).toEqual([]);
    });
  }

  it("the core's folders are the layers the README draws: each imports only from those below it", () => {
    // Top to bottom, as in the README's architecture section; memory/ stands beside them.
    const layers = ['http', 'queue', 'tick', 'operator', 'flow', 'worker', 'enqueue', 'config', 'observability', 'contract', 'errors'];
    const graph = folderGraph(join(packages, 'core', 'src')) as Map<string, string[]>;
    const upward: string[] = [];
    for (const [from, targets] of graph) {
      if (from === 'index.ts') continue;
      const below = from === 'memory' ? ['config', 'contract', 'errors'] : layers.slice(layers.indexOf(from) + 1);
      expect(layers.includes(from) || from === 'memory', `${from}/ is in no layer: add it to the README and here`).toBe(true);
      for (const to of targets) if (!below.includes(to)) upward.push(`${from} → ${to}`);
    }
    expect(upward).toEqual([]);
  });

  const scratch = mkdtempSync(join(tmpdir(), 'msgqueue-cycles-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(scratch, 'src-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  };

  it('finds a circle made only of type imports', () => {
    const dir = write({
      'hooks.ts': "import type { RunSummary } from './run-once.js';\nexport type Hook = (s: RunSummary) => void;\n",
      'run-once.ts': "import type { Hook } from './hooks.js';\nexport interface RunSummary { hook?: Hook }\n",
      'leaf.ts': "export { type Hook } from './hooks.js';\n",
    });
    const found = cycles(dir) as (Circle & { files: string[] })[];
    expect(found).toHaveLength(1);
    expect(found[0]?.files.map((f) => f.split('/').pop())).toEqual(['hooks.ts', 'run-once.ts']);
  });

  it('finds folders importing each other though their files form no circle', () => {
    const dir = write({
      'tick/run-once.ts': "import { callHook } from '../observability/hooks.js';\nexport const run = () => callHook();\n",
      'tick/summary.ts': 'export interface RunSummary { sent: number }\n',
      'observability/hooks.ts': "import type { RunSummary } from '../tick/summary.js';\nexport const callHook = (_?: RunSummary) => {};\n",
    });
    expect(cycles(dir)).toEqual([]);
    expect((folderCycles(dir) as (Circle & { folders: string[] })[]).map((c) => c.folders)).toEqual([['observability', 'tick']]);
  });
});
