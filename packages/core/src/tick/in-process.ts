/**
 * What this process is doing per queue, kept on `globalThis` under a well-known symbol so every copy
 * of the package in one process shares it and it survives hot module reloads (Next.js dev).
 *
 * A queue is identified by the storage it drains — the adapter instance — and its name: two queues
 * over two adapters never share a tick or a working set, whatever their names.
 */
import type { StorageAdapter } from '../contract/adapter.js';

/** One queue's in-process state. */
export interface QueueState {
  /** A tick of this queue is running in this process. */
  ticking: boolean;
  /** The ids some tick of this queue is working on in this process. */
  working: Set<string>;
  /** Idle workers (`queue.work`) of this queue, woken when this process enqueues to it. */
  wakers: Set<() => void>;
}

type Registry = WeakMap<StorageAdapter, Map<string, QueueState>>;

const KEY = Symbol.for('@org/msgqueue/in-process/v3');

/** The state of the queue named `name` over `adapter`, in this process. */
export function queueState(adapter: StorageAdapter, name: string): QueueState {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  g[KEY] ??= new WeakMap();
  let byName = g[KEY].get(adapter);
  if (!byName) {
    byName = new Map();
    g[KEY].set(adapter, byName);
  }
  let state = byName.get(name);
  if (!state) {
    state = { ticking: false, working: new Set(), wakers: new Set() };
    byName.set(name, state);
  }
  return state;
}

/**
 * The run lock that keeps ticks of one queue apart across processes: named after the storage the
 * adapter drains (its `storageKey`, else its `name`) and the queue's name.
 */
export function runLockName(adapter: StorageAdapter, name: string): string {
  return `msgqueue:tick:${adapter.storageKey ?? adapter.name}:${name}`;
}
