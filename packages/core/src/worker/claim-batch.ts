import { randomBytes } from 'node:crypto';
import { LIMITS, type ResolvedOptions } from '../config/options.js';
import { checkOptions, int } from '../config/validate.js';
import type { Claim, ClaimedMessage } from '../contract/message.js';
import { MsgQueueError } from '../errors/msgqueue-error.js';
import { callHook } from '../observability/hooks.js';
import { checkRecord } from './fencing.js';

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
  const token = newToken();
  const started = performance.now();
  const records = await ctx.adapter.claim({ queue: ctx.name, limit, token, leaseMs, groupPolicy: ctx.groupFailurePolicy });
  if (records.length > limit) {
    throw new MsgQueueError('ADAPTER_CONTRACT', `${ctx.adapter.name}.claim returned ${records.length} rows for a limit of ${limit}.`);
  }
  const messages: ClaimedMessage<P>[] = records.map((raw) => {
    const r = checkRecord(raw, ctx.adapter.name);
    if (r.status !== 'PROCESSING' || r.claimToken !== token || !r.leaseUntil) {
      throw new MsgQueueError(
        'ADAPTER_CONTRACT',
        `${ctx.adapter.name}.claim returned message ${r.id} as ${r.status} without this claim's token and lease.`,
      );
    }
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
  }
  return { token, leaseUntil: messages[0]?.leaseUntil ?? null, messages };
}

/** The idempotency key of a message: the same on every attempt, distinct across queues. */
export function idempotencyKey(queueName: string, id: string): string {
  return `msgqueue:${queueName}:${id}`;
}
