/** No test reaches into another workspace folder's tests (the graph: node scripts/test-graph.mjs). */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script, without types.
import { testGraph } from '../scripts/test-graph.mjs';

describe('the tests’ imports', () => {
  it('go to packages and to @org/msgqueue-test-support, never into another folder’s test files', () => {
    const { edges, forbidden } = testGraph() as { edges: string[]; forbidden: string[] };
    expect(forbidden).toEqual([]);
    // The lowest packages' tests reach no higher package; the test support reaches none of ours.
    expect(edges.filter((e) => e.startsWith('packages/core →'))).toEqual(['packages/core → test-support']);
    expect(edges.filter((e) => e.startsWith('test-support →'))).toEqual([]);
  });
});
