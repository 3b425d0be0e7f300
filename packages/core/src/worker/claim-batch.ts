import { randomBytes } from 'node:crypto';
import { LIMITS, type ResolvedOptions } from '../config/options.js';
import { checkOptions, int } from '../config/validate.js';
import type { ClaimedRecord, ClaimRequest } from '../contract/adapter.js';
import type { Claim, ClaimedMessage, ClaimRef, TransitionResult } from '../contract/message.js';
import { MsgQueueError } from '../errors/msgqueue-error.js';
import { callHook } from '../observability/hooks.js';
import { checkRecord } from './fencing.js';
import { ackAnswer, ackMany, missing } from './settle.js';

/** Options of {@link Queue.claimBatch}. */
export interface ClaimOptions {
  /** At most this many messages. Default: the queue's `batchSize`. */
  limit?: number;
  /** Lease for this claim. Default: the queue's `leaseMs`. */
  leaseMs?: number;
}

/**
 * Length of the claim tokens the queue issues (a storage column for them must hold this many characters).
 *
 * @category Adapter contract
 */
export const CLAIM_TOKEN_LENGTH = 22;

/** A fresh claim token: 128 random bits, URL-safe ({@link CLAIM_TOKEN_LENGTH} characters). */
export function newToken(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Claim up to `limit` due PENDING messages for one worker: they become PROCESSING under a fresh
 * token until the lease ends, and their attempt is counted now (so a message that crashes its
 * worker every time still runs out of attempts).
 */
export async function claimBatch<P>(ctx: ResolvedOptions, options?: ClaimOptions): Promise<Claim<P>> {
  const o = checkOptions<ClaimOptions>(options, 'claimBatch.options', ['limit', 'leaseMs']);
  const limit = int(o.limit, 'claimBatch.options.limit', LIMITS.batchSize.min, LIMITS.batchSize.max, ctx.batchSize);
  const leaseMs = int(
    o.leaseMs,
    'claimBatch.options.leaseMs',
    Math.max(LIMITS.leaseMs.min, ctx.guardMarginMs + 1),
    LIMITS.leaseMs.max,
    ctx.leaseMs,
  );
  return (await claimForSend<P>(ctx, { limit, leaseMs, guard: false, acks: [] })).claim;
}

/** What the tick asks of one claim: {@link claimBatch}'s options checked, and what rides along. */
export interface TickClaim {
  limit: number;
  leaseMs: number;
  /** Every message's send starts at once: the claim may be their guard too. */
  guard: boolean;
  /** Acks of sends that finished, written in the same round trip where the adapter can (`ackAndClaim`). */
  acks: readonly ClaimRef[];
}

/** A tick's claim: the messages, which of them the claim already guarded, and the answers to the acks that rode along. */
export interface TickClaimResult<P> {
  claim: Claim<P>;
  /** Ids the claim moved straight to SENDING: their sends start without a guard of their own. */
  guarded: ReadonlySet<string>;
  acked: TransitionResult[];
}

/**
 * Claim for a tick: with `guard`, the adapter may move the messages straight to SENDING (the
 * tick starts every send at once); the acks ride with the claim where the adapter can, else they
 * are written first. Each message still fenced on its own.
 */
export async function claimForSend<P>(ctx: ResolvedOptions, { limit, leaseMs, guard, acks }: TickClaim): Promise<TickClaimResult<P>> {
  const token = newToken();
  const started = performance.now();
  const request: ClaimRequest = { queue: ctx.name, limit, token, leaseMs, groupPolicy: ctx.groupFailurePolicy, guard };
  let records: ClaimedRecord[];
  let acked: TransitionResult[] = [];
  if (acks.length > 0 && ctx.adapter.ackAndClaim) {
    const out = await ctx.adapter.ackAndClaim({ acks, claim: request });
    acked = acks.map((ref, i) => ackAnswer(ctx, ref, out.acks[i] ?? missing(ctx, 'ackAndClaim', acks.length, out.acks.length)));
    records = out.records;
  } else {
    if (acks.length > 0) acked = await ackMany(ctx, acks);
    records = await ctx.adapter.claim(request);
  }
  if (records.length > limit) {
    throw new MsgQueueError('ADAPTER_CONTRACT', `${ctx.adapter.name}.claim returned ${records.length} rows for a limit of ${limit}.`);
  }
  const guarded = new Set<string>();
  const messages: ClaimedMessage<P>[] = records.map((raw) => {
    const r = checkRecord(raw, ctx.adapter.name);
    const status = r.status === 'PROCESSING' || (guard && r.status === 'SENDING');
    if (!status || r.claimToken !== token || !r.leaseUntil) {
      throw new MsgQueueError(
        'ADAPTER_CONTRACT',
        `${ctx.adapter.name}.claim returned message ${r.id} as ${r.status} without this claim's token and lease.`,
      );
    }
    if (r.status === 'SENDING') guarded.add(r.id);
    return {
      id: r.id,
      payload: r.payload as P,
      attempts: r.attempts,
      priority: r.priority,
      dedupeKey: r.dedupeKey,
      groupKey: r.groupKey,
      createdAt: r.createdAt,
      token,
      leaseUntil: r.leaseUntil,
      idempotencyKey: idempotencyKey(ctx.name, r.id),
      possiblySent: r.possiblySent,
    };
  });
  if (messages.length > 0) {
    ctx.logger.debug({ queue: ctx.name, token, count: messages.length }, 'msgqueue: claimed');
    callHook(ctx.hooks, ctx.logger, 'claimed', { token, ids: messages.map((m) => m.id), durationMs: performance.now() - started });
    if (guarded.size > 0) callHook(ctx.hooks, ctx.logger, 'guarded', { ids: [...guarded] });
  }
  return { claim: { token, leaseUntil: messages[0]?.leaseUntil ?? null, messages }, guarded, acked };
}

/** The idempotency key of a message: the same on every attempt, distinct across queues. */
export function idempotencyKey(queueName: string, id: string): string {
  return `msgqueue:${queueName}:${id}`;
}
