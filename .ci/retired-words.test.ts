/**
 * One word per idea: a name the glossary retired appears nowhere in the packages' sources, the guides,
 * the READMEs or the CLI's help — only in the glossary's "formerly" column (docs/concepts.md) and the
 * changeset that lists old → new.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../packages/cli/src/program.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Each retired name, and the one that replaced it (for the failure message). */
const RETIRED: [RegExp, string][] = [
  [/requeue/i, 'retry / retryMany / released'],
  [/\bunlock/i, 'releaseStuck / msgqueue release-stuck'],
  [/\binspect(Schema|Request)?\b|\bInspectRequest\b/, 'snapshot / readSchema'],
  [
    /--provider\b|\bProvider\b|prismaAdapter\([^)]*\bprovider\b/,
    'dialect / SqlDialect / --dialect (provider is the SMS or e-mail service)',
  ],
  [/\bguarded\(/, 'storageCall (guard is only the pre-send check)'],
  [/\bDIALECTS\[/, 'FRAGMENTS (DIALECTS is the list of names)'],
  [/\b(claim|worker) (still )?holds\b|\bheld by (this|the|a) claim\b|\bholder of the claim\b/i, 'owns / owned (HELD is a status)'],
  [/\.hold\(|\bheldUntil\b|\bheld_until\b|\bQUEUE_HELD\b|msgqueue hold\b|\bholdMs\b/, 'pauseFor / pausedUntil / --for (HELD is a status)'],
];

function files(dir: string, keep: (path: string) => boolean): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'api' || name === 'dist') return [];
    return statSync(path).isDirectory() ? files(path, keep) : keep(path) ? [path] : [];
  });
}

const packages = join(root, 'packages');
const scanned = [
  ...readdirSync(packages).flatMap((p) => files(join(packages, p, 'src'), (f) => f.endsWith('.ts'))),
  ...readdirSync(packages).map((p) => join(packages, p, 'README.md')),
  join(root, 'README.md'),
  ...files(join(root, 'docs'), (f) => f.endsWith('.md')),
];

/** A line of the glossary whose retired name stands in its last column, "formerly". */
function inFormerlyColumn(file: string, line: string, pattern: RegExp): boolean {
  if (!file.endsWith(join('docs', 'concepts.md')) || !line.startsWith('|')) return false;
  const cells = line.split('|').slice(1, -1);
  return pattern.test(cells.at(-1) ?? '') && !cells.slice(0, -1).some((c) => pattern.test(c));
}

function offences(file: string, text: string): string[] {
  const found: string[] = [];
  text.split('\n').forEach((line, i) => {
    for (const [pattern, instead] of RETIRED) {
      if (pattern.test(line) && !inFormerlyColumn(file, line, pattern)) {
        found.push(`${relative(root, file)}:${i + 1}: ${line.trim().slice(0, 100)} — use ${instead}`);
      }
    }
  });
  return found;
}

describe('retired names', () => {
  it('appear in no source, guide or README, except the glossary’s formerly column', () => {
    expect(scanned.length).toBeGreaterThan(100);
    expect(scanned.flatMap((f) => offences(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('appear in none of the CLI’s help', async () => {
    const lines: string[] = [];
    const io = { out: (t: string) => void lines.push(t), err: (t: string) => void lines.push(t), interactive: false };
    for (const command of [[], ['diagnose'], ['release-stuck'], ['retry'], ['mark-sent'], ['purge'], ['sql']]) {
      await main([...command, '--help'], io);
    }
    const help = lines.join('\n');
    expect(help).toContain('release-stuck');
    expect(offences('cli --help', help)).toEqual([]);
  });

  it('are found where they are not allowed (the check has teeth)', () => {
    const glossary = join(root, 'docs', 'concepts.md');
    expect(offences(glossary, '| release stuck | frees messages | `unlock` |')).toEqual([]);
    expect(offences(glossary, '| unlock | frees messages | |')).toHaveLength(1);
    expect(offences(join(root, 'README.md'), 'call queue.requeueMany() and prismaAdapter(prisma, { provider })')).toHaveLength(2);
    expect(offences(join(root, 'README.md'), 'if this claim still holds the message')).toHaveLength(1);
  });
});
