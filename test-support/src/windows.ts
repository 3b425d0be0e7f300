/**
 * The most of `times` (ms, any clock) inside any window [t, t + ms): how the rate-limit tests, the
 * four-process test and the chaos checker read a provider's log against `{ max, perMs }`.
 */
export function mostWithin(times: readonly number[], ms: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}
