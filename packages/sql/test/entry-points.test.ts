/**
 * Each client is its own entry point: importing one loads its own driver library and nothing of
 * another's. Checked on the sources' import graphs (type-only imports load nothing).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));

/** Bare modules an entry loads at run time, following its relative imports. */
function runtimeModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const modules = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s+(type\s+)?[^;]*?from\s+'([^']+)';/gm)) {
      if (m[1]) continue; // import type … / export type …
      const spec = m[2]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else modules.add(spec);
    }
  };
  visit(join(src, entry));
  return modules;
}

describe('entry points', () => {
  it.each([
    ['index.ts', ['@org/msgqueue']],
    ['pg.ts', ['@org/msgqueue']],
    ['kysely.ts', ['@org/msgqueue', 'kysely']],
    ['drizzle.ts', ['@org/msgqueue', 'drizzle-orm', 'node:async_hooks']],
  ])('%s loads only %j', (entry, expected) => {
    expect([...runtimeModules(entry)].sort()).toEqual(expected);
  });
});
