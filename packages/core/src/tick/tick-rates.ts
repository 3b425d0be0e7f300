/**
 * A tick's rate-limit slots (see `config/rate-limit.ts`). The queue's own limit is taken before each
 * claim — the claim takes no more messages than it got slots, waiting for slots while the tick has
 * time — and each key's right before a window of sends starts: a message whose key has no free slot
 * goes back for when it should (its attempt not counted). A slot is given back once its send ends,
 * free again `perMs` later, so no window of `perMs` sees more than `max` sends arrive at the provider,
 * however many processes drain the queue; a slot never given back (a crash) frees by itself after
 * the lease and `perMs`.
 */
import { randomUUID } from 'node:crypto';
import type { ResolvedOptions } from '../config/options.js';
import { limitKey, type ResolvedRateLimit } from '../config/rate-limit.js';
import { systemTimers } from '../config/timers.js';
import type { SlotGrant, SlotReturn } from '../contract/adapter.js';
import type { ClaimedMessage } from '../contract/message.js';

/** Slots given back are written at most this long after their send ended, in one round trip. */
const RETURN_FLUSH_MS = 5;

/** The shortest wait for a slot: a slot due in a millisecond is not asked for a hundred times. */
const MIN_WAIT_MS = 5;

/** Where a tick stands: how long it has, and the signals that stop its waiting. */
export interface TickTime {
  /** Milliseconds left of the tick's budget (below zero once stopped from outside). */
  leftMs(): number;
  reserve: number;
  /** Aborted when the tick's budget is spent. */
  signal: AbortSignal;
  /** The caller's signal (`runOnce`'s `signal`), if any. */
  stop: AbortSignal | undefined;
}

/** A message a keyed limit sends back, and after how long its key should have a slot for it. */
export interface Throttled<P> {
  message: ClaimedMessage<P>;
  delayMs: number;
}

/** A tick's slots: taken, handed to the messages they let start, given back when the sends end. */
export class TickRates {
  /** Who holds the slots (one per tick); the storage gives back only this holder's. */
  private readonly holder: string;
  private readonly own: ResolvedRateLimit | null;
  private readonly keyed: ResolvedRateLimit[];
  /** The queue's slots taken before a claim, not yet handed to a message. */
  private spare: number[] = [];
  /** The slots each message holds, by id. */
  private readonly held = new Map<string, Omit<SlotReturn, 'used'>[]>();
  private returning: SlotReturn[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly flushing = new Set<Promise<void>>();
  private warned = false;
  /** Set when the tick stopped waiting for the queue's limit: how soon a slot may free. */
  stoppedForMs: number | null = null;

  constructor(private readonly ctx: ResolvedOptions) {
    this.holder = ctx.rateLimits.length > 0 ? randomUUID() : '';
    this.own = ctx.rateLimits.find((l) => l.key === null) ?? null;
    this.keyed = ctx.rateLimits.filter((l) => l.key !== null);
  }

  /** The queue's own limit applies: each claim takes slots first ({@link beforeClaim}). */
  get claims(): boolean {
    return this.own !== null;
  }

  /** A keyed limit applies: messages are sorted out right before their window, not by the claim. */
  get keys(): boolean {
    return this.keyed.length > 0;
  }

  /**
   * How many messages the next claim may take (at most `want`): as many as the queue's limit has
   * free slots, waited for while the tick has time left. 0: the tick has no time to wait more.
   */
  async beforeClaim(want: number, time: TickTime): Promise<number> {
    const own = this.own;
    if (!own) return want;
    for (;;) {
      const grant = await this.take(null, own, Math.min(want, own.max));
      if (grant.slots.length > 0) {
        this.spare.push(...grant.slots);
        this.stoppedForMs = null;
        return grant.slots.length;
      }
      const wait = Math.max(MIN_WAIT_MS, Math.ceil(grant.retryInMs ?? own.perMs));
      if (time.leftMs() - wait < time.reserve) {
        this.stoppedForMs = wait;
        return 0;
      }
      await pause(this.ctx, wait, time);
      if (time.leftMs() < time.reserve) return 0;
    }
  }

  /** Hand each claimed message one of the queue's slots taken for the claim; give back the rest unused. */
  afterClaim(messages: readonly ClaimedMessage[]): void {
    const own = this.own;
    if (!own) return;
    for (const m of messages) {
      const slot = this.spare.shift();
      if (slot !== undefined) this.held.set(m.id, [{ key: null, slot, perMs: own.perMs }]);
    }
    this.giveBack(this.spare.splice(0).map((slot) => ({ key: null, slot, perMs: own.perMs, used: false })));
  }

  /**
   * Right before a window's sends: a slot of every keyed limit for each message, one round trip per
   * key (in parallel). Answers those that may start, in order, and those that must wait — each for
   * its key's next slot, the n-th in line n windows later, so they are not claimed again before.
   */
  async forWindow<P>(messages: ClaimedMessage<P>[]): Promise<{ go: ClaimedMessage<P>[]; later: Throttled<P>[] }> {
    const later: Throttled<P>[] = [];
    let go = messages;
    for (const limit of this.keyed) {
      const byKey = new Map<string, ClaimedMessage<P>[]>();
      for (const m of go) {
        const k = limitKey(limit, m as ClaimedMessage<unknown>);
        if (k !== null) byKey.set(k, [...(byKey.get(k) ?? []), m]);
      }
      const grants = await Promise.all(
        [...byKey].map(async ([k, waiting]) => ({ k, waiting, grant: await this.take(k, limit, Math.min(waiting.length, limit.max)) })),
      );
      const out = new Set<ClaimedMessage<P>>();
      for (const { k, waiting, grant } of grants) {
        for (const [i, m] of waiting.entries()) {
          const slot = grant.slots[i];
          if (slot !== undefined) {
            this.held.set(m.id, [...(this.held.get(m.id) ?? []), { key: k, slot, perMs: limit.perMs }]);
            continue;
          }
          const behind = i - grant.slots.length;
          const first = Math.ceil(grant.retryInMs ?? limit.perMs);
          later.push({ message: m, delayMs: first + Math.floor(behind / limit.max) * limit.perMs });
          out.add(m);
        }
      }
      go = go.filter((m) => !out.has(m));
    }
    // Those that wait give back what earlier limits (and the queue's) gave them: they were not sent.
    for (const { message } of later) this.done(message.id, false);
    return { go, later };
  }

  /** A message's slots are done with: `used` when its send ran (or may have), else unused. */
  done(id: string, used: boolean): void {
    const slots = this.held.get(id);
    if (!slots) return;
    this.held.delete(id);
    this.giveBack(slots.map((s) => ({ ...s, used })));
  }

  /** Give back every slot still held (as used: nothing says they were not) and wait for the writes. */
  async close(): Promise<void> {
    for (const id of [...this.held.keys()]) this.done(id, true);
    this.flush();
    while (this.flushing.size > 0) await Promise.all([...this.flushing]);
  }

  private take(key: string | null, limit: ResolvedRateLimit, want: number): Promise<SlotGrant> {
    return this.ctx.adapter.takeSlots!({
      queue: this.ctx.name,
      key,
      max: limit.max,
      perMs: limit.perMs,
      leaseMs: this.ctx.leaseMs,
      want,
      holder: this.holder,
    });
  }

  private giveBack(slots: SlotReturn[]): void {
    if (slots.length === 0) return;
    this.returning.push(...slots);
    this.timer ??= setTimeout(() => this.flush(), RETURN_FLUSH_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const slots = this.returning;
    this.returning = [];
    if (slots.length === 0) return;
    const p = this.ctx.adapter.returnSlots!({ queue: this.ctx.name, holder: this.holder, slots })
      .catch((err: unknown) => {
        if (this.warned) return;
        this.warned = true;
        this.ctx.logger.warn(
          { queue: this.ctx.name, err, count: slots.length },
          'msgqueue: could not give rate-limit slots back; they free by themselves after the lease',
        );
      })
      .finally(() => this.flushing.delete(p));
    this.flushing.add(p);
  }
}

/**
 * Wait `ms` on the queue's timers, or less when the tick's budget runs out or it is stopped. With the
 * system's timers, a timer that keeps the process alive: a script awaiting `runOnce` must not exit
 * while its tick waits for a slot (the system timers' own are unref'd).
 */
function pause(ctx: ResolvedOptions, ms: number, { signal, stop }: TickTime): Promise<void> {
  if (signal.aborted || stop?.aborted) return Promise.resolve();
  const own = ctx.timers === systemTimers;
  return new Promise<void>((resolve) => {
    const done = () => {
      if (own) clearTimeout(handle as ReturnType<typeof setTimeout>);
      else ctx.timers.clearTimeout(handle);
      signal.removeEventListener('abort', done);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    const handle: unknown = own ? setTimeout(done, ms) : ctx.timers.setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    stop?.addEventListener('abort', done, { once: true });
  });
}
