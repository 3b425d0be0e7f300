#!/usr/bin/env node
/**
 * The closing line of `.ci/run`: reads vitest's JSON results and prints `N passed, N failed`.
 *
 *   node .ci/count-results.mjs <results.json> <test exit status> [failed step names…]
 *
 * Exits 1 whenever anything failed: a failed test, a test file that did not load (it has no failed
 * test of its own, so it is counted once), a test command that exited non-zero, missing results, or
 * a failed step before the tests (install, lint, typecheck, build). The exit status of the test
 * command alone is not trusted: a library in the runner's process can rewrite it.
 */
import { existsSync, readFileSync } from 'node:fs';

const [file, statusText, ...failedSteps] = process.argv.slice(2);
const status = Number(statusText);
let passed = 0;
let failed = 0;
const notes = [];

if (file && existsSync(file)) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed = r.numPassedTests ?? 0;
    const brokenFiles = (r.testResults ?? []).filter(
      (s) => s.status === 'failed' && !(s.assertionResults ?? []).some((a) => a.status === 'failed'),
    );
    failed = (r.numFailedTests ?? 0) + brokenFiles.length;
    for (const s of brokenFiles) notes.push(`test file failed without a failed test: ${s.name}: ${(s.message ?? '').split('\n')[0]}`);
    if (r.success === false && failed === 0) {
      failed = 1;
      notes.push('the test run reports failure (an unhandled error?)');
    }
  } catch (error) {
    failed = 1;
    notes.push(`unreadable results ${file}: ${error.message}`);
  }
} else {
  notes.push('no test results were written');
  if (failed === 0) failed = 1;
}
if (status !== 0 && failed === 0) {
  failed = 1;
  notes.push(`the test command exited ${status}`);
}
failed += failedSteps.length;
for (const step of failedSteps) notes.push(`step failed: ${step}`);

for (const n of notes) console.log(`# ${n}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || status !== 0 ? 1 : 0);
