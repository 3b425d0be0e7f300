import type { SlotGrant, SlotRequest, SlotReturn, SlotsSnapshot } from '../contract/adapter.js';

interface Slot {
  /** Free once the clock has passed this. */
  freeAt: number;
  holder: string | null;
}

/** The memory adapter's rate-limit slots per (queue, key, slot), on the adapter's clock. */
export function memorySlots(now: () => number) {
  /** queue → key ('' for the queue's own limit, else '\u0000' + key) → slots by number. */
  const queues = new Map<string, Map<string, Slot[]>>();
  const keyOf = (key: string | null) => (key === null ? '' : `\u0000${key}`);
  const slotsOf = (queue: string, key: string | null): Slot[] => {
    const keys = queues.get(queue) ?? new Map<string, Slot[]>();
    queues.set(queue, keys);
    const slots = keys.get(keyOf(key)) ?? [];
    keys.set(keyOf(key), slots);
    return slots;
  };

  return {
    take({ queue, key, max, perMs, leaseMs, want, holder }: SlotRequest): SlotGrant {
      const t = now();
      const slots = slotsOf(queue, key);
      const taken: number[] = [];
      for (let i = 0; i < max && taken.length < want; i++) {
        const s = slots[i] ?? { freeAt: Number.NEGATIVE_INFINITY, holder: null };
        slots[i] = s;
        if (s.freeAt > t) continue;
        s.freeAt = t + leaseMs + perMs;
        s.holder = holder;
        taken.push(i);
      }
      if (taken.length === want) return { slots: taken, retryInMs: null };
      let next = Number.POSITIVE_INFINITY;
      for (let i = 0; i < max; i++) {
        const s = slots[i]!;
        // A slot in use frees perMs after its send ends, which is not known yet: perMs is the guess.
        if (!taken.includes(i)) next = Math.min(next, s.holder === null ? s.freeAt : t + perMs);
      }
      return { slots: taken, retryInMs: Math.max(0, Math.min(next - t, perMs)) };
    },

    give({ queue, holder, slots: returned }: { queue: string; holder: string; slots: SlotReturn[] }): void {
      const t = now();
      for (const r of returned) {
        const s = slotsOf(queue, r.key)[r.slot];
        if (!s || s.holder !== holder) continue;
        s.freeAt = r.used ? t + r.perMs : t;
        s.holder = null;
      }
    },

    inUse(queue: string): SlotsSnapshot {
      const t = now();
      const keys: SlotsSnapshot['keys'] = [];
      for (const [k, slots] of queues.get(queue) ?? []) {
        const busy = slots.filter((s) => s.freeAt > t);
        if (busy.length === 0) continue;
        const nextFreeAt = new Date(Math.min(...busy.map((s) => s.freeAt)));
        keys.push({ key: k === '' ? null : k.slice(1), busy: busy.length, nextFreeAt });
      }
      keys.sort((a, b) => b.busy - a.busy || a.nextFreeAt.getTime() - b.nextFreeAt.getTime());
      return { now: new Date(t), keys: keys.slice(0, 1000) };
    },
  };
}
