/**
 * Self-test of `.ci/run`'s closing line: real vitest results (from the fixtures) counted by
 * count-results.mjs, including the cases the test command's own exit status hides.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'msgqueue-ci-count-'));
const allResults = join(dir, 'all.json');
const passingResults = join(dir, 'passing.json');

/** Run vitest over some fixtures, writing JSON results; answers its exit status. */
function fixtureRun(outputFile: string, filter: string[]): number {
  const args = [
    vitest,
    'run',
    '--config',
    join(here, 'fixtures/vitest.config.ts'),
    '--reporter=json',
    `--outputFile=${outputFile}`,
    ...filter,
  ];
  return (
    spawnSync(process.execPath, args, { cwd: join(here, 'fixtures'), stdio: 'ignore', env: { ...process.env, MSGQUEUE_TEST_RESULTS: '' } })
      .status ?? 1
  );
}

function count(file: string, status: number, ...steps: string[]): { line: string; exit: number } {
  const r = spawnSync(process.execPath, [join(here, 'count-results.mjs'), file, String(status), ...steps], { encoding: 'utf8' });
  return { line: r.stdout.trim().split('\n').pop() ?? '', exit: r.status ?? -1 };
}

describe('.ci/run counting', () => {
  let allStatus = 0;
  beforeAll(() => {
    allStatus = fixtureRun(allResults, []);
    expect(fixtureRun(passingResults, ['passing'])).toBe(0);
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('all passing: counts them and exits 0', () => {
    expect(count(passingResults, 0)).toEqual({ line: '2 passed, 0 failed', exit: 0 });
  });

  it('a failed test and a file that did not load both count, and the exit is non-zero', () => {
    expect(allStatus).not.toBe(0);
    expect(count(allResults, allStatus)).toEqual({ line: '2 passed, 2 failed', exit: 1 });
  });

  it('failures in the results fail the run even when the test command exited 0', () => {
    expect(count(allResults, 0)).toEqual({ line: '2 passed, 2 failed', exit: 1 });
  });

  it('a test command that exited non-zero fails the run even when every result passed', () => {
    expect(count(passingResults, 1)).toEqual({ line: '2 passed, 1 failed', exit: 1 });
  });

  it('missing results fail the run', () => {
    expect(count(join(dir, 'nothing.json'), 0)).toEqual({ line: '0 passed, 1 failed', exit: 1 });
  });

  it('a failed step before the tests (lint, typecheck, build) fails the run', () => {
    expect(count(passingResults, 0, 'lint')).toEqual({ line: '2 passed, 1 failed', exit: 1 });
  });
});
