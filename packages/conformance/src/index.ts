/**
 * `@org/msgqueue-conformance`: the suite every `@org/msgqueue` storage adapter must pass.
 *
 * ```ts
 * // my-adapter.test.ts
 * import { runConformance } from '@org/msgqueue-conformance';
 * runConformance({ name: 'my-store', setup: async () => ({ adapter, advance, teardown }) });
 * ```
 *
 * @packageDocumentation
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { useFixture } from './context.js';
import type { ConformanceHarness, ConformanceOptions } from './harness.js';
import { badInputSuite } from './suites/bad-input.js';
import { batchedSuite } from './suites/batched.js';
import { claimSuite } from './suites/claim.js';
import { dedupeSuite } from './suites/dedupe.js';
import { diagnoseSuite } from './suites/diagnose.js';
import { fencingSuite } from './suites/fencing.js';
import { gatesSuite } from './suites/gates.js';
import { groupsSuite } from './suites/groups.js';
import { guardSuite } from './suites/guard.js';
import { modelBasedSuite } from './suites/model-based.js';
import { namedQueuesSuite } from './suites/named-queues.js';
import { operatorSuite } from './suites/operator.js';
import { rateLimitsSuite } from './suites/rate-limits.js';
import { recycleSuite } from './suites/recycle.js';
import { runLockSuite } from './suites/run-lock.js';
import { runOnceSuite } from './suites/run-once.js';
import { settleSuite } from './suites/settle.js';
import { transactionsSuite } from './suites/transactions.js';

export type { ConformanceContext, ConformanceHarness, ConformanceOptions } from './harness.js';
export type { BadInputCase } from './suites/bad-input.js';
export { BAD_INPUTS } from './suites/bad-input.js';

/**
 * Register the conformance suite for one adapter in the calling vitest file — the whole of it, or with
 * `scope: 'client'` the part a database client's adapter over an already proven engine must pass.
 * Each concern gets its own `describe` block; every test gets fresh storage from `harness.setup()`.
 */
export function runConformance(harness: ConformanceHarness, options: ConformanceOptions = {}): void {
  const opts = {
    claimers: options.claimers ?? 8,
    messages: options.messages ?? 400,
    scope: options.scope ?? 'full',
    modelRuns: options.modelRuns ?? 50,
  };
  if (opts.scope !== 'full' && opts.scope !== 'client')
    throw new Error(`runConformance: scope must be 'full' or 'client', got ${String(opts.scope)}`);
  if (!Number.isInteger(opts.modelRuns) || opts.modelRuns < 1)
    throw new Error(`runConformance: modelRuns must be a whole number of schedules from 1, got ${String(opts.modelRuns)}`);
  describe(`conformance${opts.scope === 'client' ? ' (client)' : ''}: ${harness.name}`, () => {
    if (harness.beforeAll) beforeAll(() => harness.beforeAll!());
    if (harness.afterAll) afterAll(() => harness.afterAll!());
    const f = useFixture(harness, opts.scope);
    claimSuite(f, opts);
    guardSuite(f);
    fencingSuite(f);
    recycleSuite(f);
    settleSuite(f);
    batchedSuite(f);
    dedupeSuite(f);
    diagnoseSuite(f);
    runOnceSuite(f);
    runLockSuite(f);
    groupsSuite(f);
    namedQueuesSuite(f);
    operatorSuite(f);
    gatesSuite(f);
    rateLimitsSuite(f);
    transactionsSuite(f);
    modelBasedSuite(f, opts.modelRuns, opts.scope);
    badInputSuite(f, opts.scope);
  });
}
