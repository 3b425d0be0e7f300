import type { Gate, GateChange, GatesSnapshot } from '../contract/adapter.js';

/** The memory adapter's gates: flow-control state per (queue, key), on the adapter's clock. */
export function memoryGates(now: () => number) {
  const gates = new Map<string, Gate>();
  const keyOf = (queue: string, key: string | null) => `${queue}\u0000${key ?? ''}`;
  const isClosed = (g: Gate | undefined, t: number) => !!g && (g.paused || (g.pausedUntil !== null && g.pausedUntil.getTime() > t));
  const copy = (g: Gate): Gate => ({ ...g, pausedUntil: g.pausedUntil && new Date(g.pausedUntil), updatedAt: new Date(g.updatedAt) });

  return {
    /** Whether a claim must pass this row by: its queue's gate, or its group key's, is closed. */
    shut(queue: string, groupKey: string | null, t: number): boolean {
      return isClosed(gates.get(keyOf(queue, null)), t) || (groupKey !== null && isClosed(gates.get(keyOf(queue, groupKey)), t));
    },

    set({ queue, key, paused, pauseForMs, note }: GateChange): Gate {
      const t = now();
      const at = keyOf(queue, key);
      const was = gates.get(at) ?? { queue, key, paused: false, pausedUntil: null, note: null, updatedAt: new Date(t) };
      let pausedUntil = was.pausedUntil;
      if (pauseForMs === null) pausedUntil = null;
      else if (pauseForMs !== undefined && (pausedUntil === null || pausedUntil.getTime() < t + pauseForMs))
        pausedUntil = new Date(t + pauseForMs);
      const gate: Gate = {
        queue,
        key,
        paused: paused ?? was.paused,
        pausedUntil,
        note: note === undefined ? was.note : note,
        updatedAt: new Date(t),
      };
      if (isClosed(gate, t)) gates.set(at, gate);
      else gates.delete(at);
      return copy(gate);
    },

    list(queue: string): GatesSnapshot {
      const t = now();
      const closed = [...gates.values()]
        .filter((g) => g.queue === queue && isClosed(g, t))
        .sort((a, b) => (a.key === null ? -1 : b.key === null ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return { now: new Date(t), gates: closed.map(copy) };
    },
  };
}
