/**
 * Process-wide registries, kept on `globalThis` under a well-known symbol so they are shared by
 * every copy of the package in one process and survive hot module reloads (Next.js dev).
 */
interface Registry {
  /** Queue names with a tick running in this process. */
  ticks: Set<string>;
  /** Per queue name, the ids some tick of this process is working on. */
  working: Map<string, Set<string>>;
}

const KEY = Symbol.for('@org/msgqueue/in-process');

/** The registry shared by every queue in this process. */
export function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  g[KEY] ??= { ticks: new Set(), working: new Map() };
  return g[KEY];
}

/** The set of ids this process is working on for one queue. */
export function workingSet(queue: string): Set<string> {
  const r = registry();
  const existing = r.working.get(queue);
  if (existing) return existing;
  const set = new Set<string>();
  r.working.set(queue, set);
  return set;
}
