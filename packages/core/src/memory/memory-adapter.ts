import { checkOptions } from '../config/validate.js';
import type {
  AckAndClaimOutcome,
  AckAndClaimRequest,
  AckAndGuardOutcome,
  AckAndGuardRequest,
  ClaimRequest,
  ExtendRequest,
  FencedOutcome,
  FindRequest,
  FindResult,
  Gate,
  GateChange,
  GatesSnapshot,
  GuardManyRequest,
  GuardRequest,
  InsertOutcome,
  InsertRecord,
  OperateRequest,
  RecycleOutcome,
  RecycleRequest,
  RunLockRequest,
  SettleRequest,
  SlotGrant,
  SlotRequest,
  SlotReturn,
  SlotsSnapshot,
  SnapshotRequest,
  StorageAdapter,
  StorageSnapshot,
} from '../contract/adapter.js';
import type { GroupFailurePolicy, MessageRecord, MessageStatus } from '../contract/message.js';
import { MESSAGE_STATUSES } from '../contract/message.js';
import { RECYCLE_REASONS as REASON } from '../contract/recycle-reasons.js';
import { invalidArgument } from '../errors/msgqueue-error.js';
import { type Clock, systemClock } from './clock.js';
import { memoryGates } from './memory-gates.js';
import { memorySlots } from './memory-slots.js';

/**
 * Options of {@link memoryAdapter}.
 *
 * @category Testing
 */
export interface MemoryAdapterOptions {
  /** Where "now" comes from. Default: the system clock. Pass `new ManualClock().now` in tests. */
  clock?: Clock;
}

interface Row extends Omit<MessageRecord, 'payload'> {
  payload: string;
  queue: string;
}

/**
 * The reference adapter: messages in a Map inside this process. Each operation runs synchronously
 * between two awaits, so it is atomic with respect to every other caller in the process.
 * Good for tests, demos and single-process scripts; data is gone when the process exits.
 *
 * @example
 * ```ts
 * const clock = new ManualClock();
 * const queue = createQueue({ adapter: memoryAdapter({ clock: clock.now }), leaseMs: 60_000 });
 * clock.advance(61_000); // leases expire without waiting
 * ```
 *
 * @category Testing
 */
export function memoryAdapter(options: MemoryAdapterOptions = {}): StorageAdapter & { readonly size: number } {
  checkOptions(options, 'memoryAdapter.options', ['clock']);
  const clock = options.clock ?? systemClock;
  if (typeof clock !== 'function') throw invalidArgument('memoryAdapter.options.clock', 'expected a function returning a Date.');
  const rows = new Map<string, Row>();
  /** Dedupe keys are per queue: `queue\u0000key` → id. */
  const byDedupe = new Map<string, string>();
  const dedupeKeyOf = (queue: string, key: string) => `${queue}\u0000${key}`;
  /** The rows of one queue. */
  const inQueue = (queue: string): Row[] => [...rows.values()].filter((r) => r.queue === queue);
  const locks = new Map<string, { owner: string; until: number }>();
  const now = () => clock().getTime();
  const gates = memoryGates(now);
  const slots = memorySlots(now);
  const out = ({ queue: _queue, ...row }: Row): MessageRecord => ({
    ...row,
    payload: JSON.parse(row.payload) as unknown,
    availableAt: new Date(row.availableAt),
    leaseUntil: row.leaseUntil && new Date(row.leaseUntil),
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  });
  const refused = (id: string): FencedOutcome => {
    const row = rows.get(id);
    return { ok: false, current: row ? out(row) : null, now: new Date(now()) };
  };
  const owned = (row: Row | undefined, token: string, from: readonly MessageStatus[]): row is Row =>
    !!row && row.claimToken === token && from.includes(row.status);
  const inFlight = (r: Row) => r.status === 'PROCESSING' || r.status === 'SENDING';
  const orphaned = (r: Row) => inFlight(r) && r.leaseUntil === null;
  const oldestFirst = (a: Row, b: Row) => a.updatedAt.getTime() - b.updatedAt.getTime();
  const enqueueOrder = (a: Row, b: Row) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const byGroup = (queue: string): Map<string, Row[]> => {
    const groups = new Map<string, Row[]>();
    for (const r of inQueue(queue)) {
      if (r.groupKey === null) continue;
      const list = groups.get(r.groupKey) ?? [];
      list.push(r);
      groups.set(r.groupKey, list);
    }
    return groups;
  };
  /**
   * Per group, the one row that may be claimed: the earliest row still blocking the group
   * (pending, in flight, or failed/held under `block`), if it is PENDING and nothing is in flight.
   */
  const groupHeads = (queue: string, policy: GroupFailurePolicy): Map<string, Row> => {
    const blocking: MessageStatus[] = policy === 'block' ? ['PENDING', 'FAILED', 'HELD'] : ['PENDING'];
    const heads = new Map<string, Row>();
    for (const [key, list] of byGroup(queue)) {
      if (list.some(inFlight)) continue;
      const head = list.filter((r) => blocking.includes(r.status)).sort(enqueueOrder)[0];
      if (head?.status === 'PENDING') heads.set(key, head);
    }
    return heads;
  };
  const blockedGroups = (queue: string): number =>
    [...byGroup(queue).values()].filter((list) => {
      const sorted = [...list].sort(enqueueOrder);
      const firstStuck = sorted.findIndex((r) => r.status === 'FAILED' || r.status === 'HELD');
      return firstStuck >= 0 && sorted.slice(firstStuck + 1).some((r) => r.status === 'PENDING');
    }).length;

  const guardOne = ({ id, token, minLeaseMs }: GuardRequest): FencedOutcome => {
    const row = rows.get(id);
    const t = now();
    if (!owned(row, token, ['PROCESSING']) || !row.leaseUntil || row.leaseUntil.getTime() < t + minLeaseMs) return refused(id);
    Object.assign(row, { status: 'SENDING', updatedAt: new Date(t) });
    return { ok: true, record: out(row) };
  };
  const settleOne = ({ id, token, from, to, delayMs, error, refundAttempt, possiblySent }: SettleRequest): FencedOutcome => {
    const row = rows.get(id);
    const t = now();
    if (!owned(row, token, from)) return refused(id);
    Object.assign(row, {
      status: to,
      claimToken: null,
      leaseUntil: null,
      updatedAt: new Date(t),
      availableAt: to === 'PENDING' ? new Date(t + delayMs) : row.availableAt,
      lastError: error ?? row.lastError,
      attempts: refundAttempt ? Math.max(0, row.attempts - 1) : row.attempts,
      possiblySent: row.possiblySent || possiblySent,
    });
    return { ok: true, record: out(row) };
  };
  const ackOne = ({ id, token }: { id: string; token: string }): FencedOutcome =>
    settleOne({
      id,
      token,
      from: ['PROCESSING', 'SENDING'],
      to: 'SENT',
      delayMs: 0,
      error: null,
      refundAttempt: false,
      possiblySent: false,
    });

  const claimDue = ({ queue, limit, token, leaseMs, groupPolicy, guard }: ClaimRequest): MessageRecord[] => {
    const t = now();
    const heads = groupHeads(queue, groupPolicy);
    const due = inQueue(queue)
      .filter((r) => r.status === 'PENDING' && r.availableAt.getTime() <= t && !gates.shut(queue, r.groupKey, t))
      .filter((r) => r.groupKey === null || heads.get(r.groupKey) === r)
      .sort(
        (a, b) => a.priority - b.priority || a.availableAt.getTime() - b.availableAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
      )
      .slice(0, limit);
    for (const r of due) {
      Object.assign(r, {
        status: guard ? 'SENDING' : 'PROCESSING',
        claimToken: token,
        leaseUntil: new Date(t + leaseMs),
        attempts: r.attempts + 1,
        updatedAt: new Date(t),
      });
    }
    return due.map(out);
  };

  return {
    name: 'memory',
    capabilities: { claimIsolation: 'in-process', crossProcessRunLock: false, transactionalInsert: false, gates: true, rateLimits: true },
    get size() {
      return rows.size;
    },

    async insert(records: readonly InsertRecord[]): Promise<InsertOutcome[]> {
      const t = now();
      return records.map((r) => {
        const existing = r.dedupeKey === null ? undefined : byDedupe.get(dedupeKeyOf(r.queue, r.dedupeKey));
        if (existing !== undefined) return { id: existing, created: false };
        if (rows.has(r.id)) return { id: r.id, created: false };
        rows.set(r.id, {
          queue: r.queue,
          id: r.id,
          status: 'PENDING',
          payload: r.payload,
          attempts: 0,
          priority: r.priority,
          availableAt: r.availableAt ?? new Date(t + r.delayMs),
          dedupeKey: r.dedupeKey,
          groupKey: r.groupKey,
          claimToken: null,
          leaseUntil: null,
          possiblySent: false,
          lastError: null,
          createdAt: new Date(t),
          updatedAt: new Date(t),
        });
        if (r.dedupeKey !== null) byDedupe.set(dedupeKeyOf(r.queue, r.dedupeKey), r.id);
        return { id: r.id, created: true };
      });
    },

    async claim(request: ClaimRequest): Promise<MessageRecord[]> {
      return claimDue(request);
    },

    async setGate(change: GateChange): Promise<Gate> {
      return gates.set(change);
    },

    async gates({ queue }: { queue: string }): Promise<GatesSnapshot> {
      return gates.list(queue);
    },

    async takeSlots(request: SlotRequest): Promise<SlotGrant> {
      return slots.take(request);
    },

    async returnSlots(request: { queue: string; holder: string; slots: SlotReturn[] }): Promise<void> {
      slots.give(request);
    },

    async slotsInUse({ queue }: { queue: string }): Promise<SlotsSnapshot> {
      return slots.inUse(queue);
    },

    async ackAndClaim({ acks, claim }: AckAndClaimRequest): Promise<AckAndClaimOutcome> {
      // As the SQL engine does: the claim sees the state before the acks (their groups stay held back).
      const records = claimDue(claim);
      return { acks: acks.map(ackOne), records };
    },

    async guard(request: GuardRequest): Promise<FencedOutcome> {
      return guardOne(request);
    },

    async guardMany({ messages, minLeaseMs }: GuardManyRequest): Promise<FencedOutcome[]> {
      return messages.map((m) => guardOne({ ...m, minLeaseMs }));
    },

    async ackMany(messages): Promise<FencedOutcome[]> {
      return messages.map(ackOne);
    },

    async ackAndGuard({ acks, guard }: AckAndGuardRequest): Promise<AckAndGuardOutcome> {
      return { acks: acks.map(ackOne), guards: guard.messages.map((m) => guardOne({ ...m, minLeaseMs: guard.minLeaseMs })) };
    },

    async settle(request: SettleRequest): Promise<FencedOutcome> {
      return settleOne(request);
    },

    async extendLease({ id, token, leaseMs }: ExtendRequest): Promise<FencedOutcome> {
      const row = rows.get(id);
      if (!owned(row, token, ['PROCESSING', 'SENDING'])) return refused(id);
      row.leaseUntil = new Date(now() + leaseMs);
      return { ok: true, record: out(row) };
    },

    async recycle({ queue, maxAttempts, deliveryMode, limit, orphanGraceMs }: RecycleRequest): Promise<RecycleOutcome> {
      const t = now();
      const result: RecycleOutcome = { released: [], releasedPossiblySent: [], held: [], failed: [], orphans: [] };
      const expired = inQueue(queue)
        .filter((r) => inFlight(r) && r.leaseUntil !== null && r.leaseUntil.getTime() < t)
        .sort((a, b) => a.leaseUntil!.getTime() - b.leaseUntil!.getTime());
      const orphans = inQueue(queue)
        .filter((r) => orphaned(r) && r.updatedAt.getTime() < t - orphanGraceMs)
        .sort(oldestFirst);
      for (const r of [...expired, ...orphans].slice(0, limit)) {
        const base = { claimToken: null, leaseUntil: null, updatedAt: new Date(t) };
        // A row without a lease was left by other code: it may have been sent, like an expired SENDING row.
        const maybeSent = r.status === 'SENDING' || r.leaseUntil === null;
        if (r.leaseUntil === null) result.orphans.push(r.id);
        if (maybeSent && deliveryMode === 'at-most-once') {
          Object.assign(r, base, {
            status: 'HELD',
            possiblySent: true,
            lastError: r.leaseUntil === null ? REASON.orphanHeld : REASON.held,
          });
          result.held.push(r.id);
        } else if (r.attempts >= maxAttempts) {
          Object.assign(r, base, { status: 'FAILED', possiblySent: r.possiblySent || maybeSent, lastError: REASON.outOfAttempts });
          result.failed.push(r.id);
        } else if (maybeSent) {
          Object.assign(r, base, {
            status: 'PENDING',
            possiblySent: true,
            availableAt: new Date(t),
            lastError: r.leaseUntil === null ? REASON.orphanResend : REASON.resend,
          });
          result.releasedPossiblySent.push(r.id);
        } else {
          Object.assign(r, base, { status: 'PENDING', availableAt: new Date(t), lastError: REASON.beforeSend });
          result.released.push(r.id);
        }
      }
      return result;
    },

    async snapshot({
      queue,
      inFlightAlertMs,
      failedWindowMs,
      throughputWindowMs,
      sampleSize,
      groupPolicy,
    }: SnapshotRequest): Promise<StorageSnapshot> {
      const t = now();
      const all = inQueue(queue);
      const counts = Object.fromEntries(MESSAGE_STATUSES.map((s) => [s, 0])) as Record<MessageStatus, number>;
      for (const r of all) counts[r.status]++;
      const pending = all.filter((r) => r.status === 'PENDING');
      const expired = all.filter((r) => inFlight(r) && r.leaseUntil !== null && r.leaseUntil.getTime() < t).sort(oldestFirst);
      const orphans = all.filter(orphaned).sort(oldestFirst);
      const failed = all.filter((r) => r.status === 'FAILED').sort(oldestFirst);
      const keys = new Map<string, number>();
      for (const r of all) if (r.dedupeKey !== null) keys.set(r.dedupeKey, (keys.get(r.dedupeKey) ?? 0) + 1);
      return {
        now: new Date(t),
        counts,
        oldestPendingCreatedAt: pending.length ? new Date(Math.min(...pending.map((r) => r.createdAt.getTime()))) : null,
        duePending: pending.filter((r) => r.availableAt.getTime() <= t).length,
        expiredInFlight: expired.length,
        inFlightTooLong: all.filter((r) => inFlight(r) && r.leaseUntil !== null && r.updatedAt.getTime() < t - inFlightAlertMs).length,
        orphanedInFlight: orphans.length,
        failedInWindow: failed.filter((r) => r.updatedAt.getTime() >= t - failedWindowMs).length,
        ...(throughputWindowMs === undefined
          ? {}
          : {
              finishedInThroughputWindow: {
                SENT: all.filter((r) => r.status === 'SENT' && r.updatedAt.getTime() >= t - throughputWindowMs).length,
                FAILED: failed.filter((r) => r.updatedAt.getTime() >= t - throughputWindowMs).length,
              },
            }),
        possiblySentPending: all.filter((r) => r.possiblySent && (r.status === 'PENDING' || inFlight(r))).length,
        duplicateDedupeKeys: [...keys.values()].filter((n) => n > 1).length,
        blockedGroups: groupPolicy === 'block' ? blockedGroups(queue) : 0,
        samples: {
          expiredInFlight: expired.slice(0, sampleSize).map(out),
          orphanedInFlight: orphans.slice(0, sampleSize).map(out),
          failed: [...failed].reverse().slice(0, sampleSize).map(out),
          held: all
            .filter((r) => r.status === 'HELD')
            .sort(oldestFirst)
            .slice(0, sampleSize)
            .map(out),
        },
      };
    },

    async retry({ queue, id, from }): Promise<FencedOutcome> {
      const row = rows.get(id);
      if (row && row.queue !== queue) return { ok: false, current: null, now: new Date(now()) }; // another queue's: not found here
      if (!row || !from.includes(row.status)) return refused(id);
      const t = now();
      Object.assign(row, {
        status: 'PENDING',
        attempts: 0,
        availableAt: new Date(t),
        updatedAt: new Date(t),
        claimToken: null,
        leaseUntil: null,
      });
      return { ok: true, record: out(row) };
    },

    async find({
      queue,
      statuses,
      ids,
      olderThanMs,
      errorContains,
      groupKey,
      possiblySent,
      limit,
      offset = 0,
    }: FindRequest): Promise<FindResult> {
      const t = now();
      const wanted = ids ? new Set(ids) : null;
      const found = inQueue(queue)
        .filter(
          (r) =>
            statuses.includes(r.status) &&
            (!wanted || wanted.has(r.id)) &&
            (olderThanMs === undefined || r.updatedAt.getTime() <= t - olderThanMs) &&
            (errorContains === undefined || (r.lastError ?? '').includes(errorContains)) &&
            (groupKey === undefined || r.groupKey === groupKey) &&
            (possiblySent === undefined || r.possiblySent === possiblySent),
        )
        .sort((a, b) => oldestFirst(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(offset, offset + limit);
      return { now: new Date(t), rows: found.map(out) };
    },

    async queueNames(): Promise<string[]> {
      return [...new Set([...rows.values()].map((r) => r.queue))].sort();
    },

    async operate({ queue, items, to, resetAttempts, possiblySent, note }: OperateRequest): Promise<boolean[]> {
      const t = now();
      return items.map((item) => {
        const row = rows.get(item.id);
        if (
          !row ||
          row.queue !== queue ||
          row.status !== item.status ||
          row.claimToken !== item.claimToken ||
          row.attempts !== item.attempts ||
          row.updatedAt.getTime() !== item.updatedAt.getTime()
        ) {
          return false;
        }
        if (to === 'DELETE') {
          rows.delete(row.id);
          if (row.dedupeKey !== null) byDedupe.delete(dedupeKeyOf(row.queue, row.dedupeKey));
          return true;
        }
        Object.assign(row, {
          status: to,
          claimToken: null,
          leaseUntil: null,
          updatedAt: new Date(t),
          availableAt: to === 'PENDING' ? new Date(t) : row.availableAt,
          attempts: resetAttempts ? 0 : row.attempts,
          possiblySent: row.possiblySent || possiblySent,
          lastError: note ?? row.lastError,
        });
        return true;
      });
    },

    async get(id: string): Promise<MessageRecord | null> {
      const row = rows.get(id);
      return row ? out(row) : null;
    },

    async acquireRunLock({ name, owner, ttlMs }: RunLockRequest): Promise<boolean> {
      const t = now();
      const lock = locks.get(name);
      if (lock && lock.until > t && lock.owner !== owner) return false;
      locks.set(name, { owner, until: t + ttlMs });
      return true;
    },

    async releaseRunLock({ name, owner }): Promise<void> {
      if (locks.get(name)?.owner === owner) locks.delete(name);
    },
  };
}
