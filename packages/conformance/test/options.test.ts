/** runConformance refuses options it cannot run with, before registering a test. */
import { memoryAdapter } from '@org/msgqueue';
import { runConformance } from '@org/msgqueue-conformance';
import { describe, expect, it } from 'vitest';

const harness = { name: 'never run', setup: async () => ({ adapter: memoryAdapter(), advance: async () => {}, teardown: async () => {} }) };

describe('runConformance options', () => {
  it.each([0, -3, 2.5, Number.NaN, '10' as unknown as number])('modelRuns %s is refused', (modelRuns) => {
    expect(() => runConformance(harness, { modelRuns })).toThrow(/modelRuns must be a whole number/);
  });
  it('an unknown scope is refused', () => {
    expect(() => runConformance(harness, { scope: 'some' as never })).toThrow(/scope must be 'full' or 'client'/);
  });
});
