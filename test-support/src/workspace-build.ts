/**
 * Build workspace packages whose sources are newer than their `dist/` (`.ci/run` has built them
 * already; a fresh clone's `pnpm test` has not). For tests that run code as an installed app would:
 * the Next.js example, the CLI's binary.
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Newest modification time of the files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** `packages/<name>` for each name, in order (dependencies first), each built only when stale. */
export async function buildWorkspacePackages(names: readonly string[]): Promise<void> {
  for (const name of names) {
    const dir = join(ROOT, 'packages', name);
    let built = 0;
    try {
      built = statSync(join(dir, 'dist', 'index.js')).mtimeMs;
    } catch {}
    if (built > newest(join(dir, 'src'))) continue;
    await run(join(ROOT, 'node_modules', '.bin', 'tsup'), [], { cwd: dir });
  }
}
