import { MsgQueueError, type MsgQueueErrorCode, type Queue } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';
import type { Fixture } from '../context.js';

/** One bad-input case: a label, the expected error code, a pattern the message must match, and the call. */
export type BadInputCase = [label: string, code: MsgQueueErrorCode, field: RegExp, call: (q: Queue) => Promise<unknown>];

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;
const ref = { id: 'x', token: 'AAAAAAAAAAAAAAAAAAAAAA' };
/** An array nested `depth` levels deep, built without recursion. */
const nested = (depth: number): unknown[] => {
  let value: unknown[] = [];
  for (let i = 1; i < depth; i++) value = [value];
  return value;
};
// biome-ignore lint/suspicious/noSparseArray: the hole is the point.
const sparse = [1, , 3];

/** Inputs users and attackers send. Every one is refused with a typed error before anything is written. */
export const BAD_INPUTS: BadInputCase[] = [
  ['limit 0', 'INVALID_ARGUMENT', /limit/, (q) => q.claimBatch({ limit: 0 })],
  ['limit -1', 'INVALID_ARGUMENT', /limit/, (q) => q.claimBatch({ limit: -1 })],
  ['limit 1.5', 'INVALID_ARGUMENT', /limit/, (q) => q.claimBatch({ limit: 1.5 })],
  ['limit NaN', 'INVALID_ARGUMENT', /limit/, (q) => q.claimBatch({ limit: Number.NaN })],
  ['limit Infinity', 'INVALID_ARGUMENT', /limit/, (q) => q.claimBatch({ limit: Number.POSITIVE_INFINITY })],
  ['limit "10"', 'INVALID_ARGUMENT', /limit/, (q) => q.claimBatch({ limit: '10' as unknown as number })],
  ['limit 1e9', 'INVALID_ARGUMENT', /limit/, (q) => q.claimBatch({ limit: 1e9 })],
  ['limit null', 'INVALID_ARGUMENT', /limit/, (q) => q.claimBatch({ limit: null as never })],
  ['claim options not an object', 'INVALID_ARGUMENT', /claimBatch\.options/, (q) => q.claimBatch(5 as never)],
  ['runOnce limit "10"', 'INVALID_ARGUMENT', /limit/, (q) => q.runOnce({ send: async () => {}, limit: '10' as never })],
  ['runOnce limit -1', 'INVALID_ARGUMENT', /limit/, (q) => q.runOnce({ send: async () => {}, limit: -1 })],
  ['lease Infinity', 'INVALID_ARGUMENT', /leaseMs/, (q) => q.claimBatch({ leaseMs: Number.POSITIVE_INFINITY })],
  ['lease 1.5', 'INVALID_ARGUMENT', /leaseMs/, (q) => q.claimBatch({ leaseMs: 1_000.5 })],
  ['lease 0', 'INVALID_ARGUMENT', /leaseMs/, (q) => q.claimBatch({ leaseMs: 0 })],
  ['lease of a year', 'INVALID_ARGUMENT', /leaseMs/, (q) => q.claimBatch({ leaseMs: 365 * 86_400_000 })],
  ['unknown claim option', 'UNKNOWN_OPTION', /limt/, (q) => q.claimBatch({ limt: 5 } as never)],
  ['payload BigInt', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue({ n: 10n })],
  ['payload cycle', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue(cyclic)],
  ['payload undefined', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue(undefined)],
  ['payload NaN', 'INVALID_PAYLOAD', /payload\.n/, (q) => q.enqueue({ n: Number.NaN })],
  ['payload \\u0000', 'INVALID_PAYLOAD', /payload\.s/, (q) => q.enqueue({ s: 'a\u0000b' })],
  ['payload function', 'INVALID_PAYLOAD', /payload\.f/, (q) => q.enqueue({ f: () => 1 })],
  ['payload too large', 'PAYLOAD_TOO_LARGE', /payload/, (q) => q.enqueue({ s: 'x'.repeat(300 * 1024) })],
  ['payload Infinity', 'INVALID_PAYLOAD', /payload\.n/, (q) => q.enqueue({ n: Number.POSITIVE_INFINITY })],
  ['payload undefined in an array', 'INVALID_PAYLOAD', /payload\.a\[1\]/, (q) => q.enqueue({ a: [1, undefined] })],
  ['payload \\u0000 in a key', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue({ 'a\u0000': 1 })],
  ['payload a Map', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue(new Map([[1, 2]]))],
  ['payload a symbol', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue(Symbol('x'))],
  ['payload nested 2,000 deep', 'INVALID_PAYLOAD', /payload.*nested more than 31/, (q) => q.enqueue(nested(2_000))],
  ['payload nested 200,000 deep', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue({ a: nested(200_000) })],
  ['payload nested 32 deep (MariaDB stores 31)', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue(nested(32))],
  ['payload toJSON answering a BigInt', 'INVALID_PAYLOAD', /payload\.v/, (q) => q.enqueue({ v: { toJSON: () => 10n } })],
  ['payload toJSON answering undefined', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue({ toJSON: () => undefined })],
  ['payload toJSON answering NaN', 'INVALID_PAYLOAD', /payload\.v/, (q) => q.enqueue({ v: { toJSON: () => Number.NaN } })],
  ['payload toJSON answering undefined in an array', 'INVALID_PAYLOAD', /payload\[0\]/, (q) => q.enqueue([{ toJSON: () => undefined }])],
  ['payload a sparse array', 'INVALID_PAYLOAD', /payload\.a\[1\]/, (q) => q.enqueue({ a: sparse })],
  ['payload a lone surrogate', 'INVALID_PAYLOAD', /payload\.s/, (q) => q.enqueue({ s: 'ab\ud800' })],
  ['payload a lone surrogate in a key', 'INVALID_PAYLOAD', /payload/, (q) => q.enqueue({ '\udc00x': 1 })],
  ['payload an invalid Date', 'INVALID_PAYLOAD', /payload\.at/, (q) => q.enqueue({ at: new Date(Number.NaN) })],
  ['payload a Set deep inside', 'INVALID_PAYLOAD', /payload\.a\[0\]\.s/, (q) => q.enqueue({ a: [{ s: new Set([1]) }] })],
  ['delay negative', 'INVALID_ARGUMENT', /delayMs/, (q) => q.enqueue({}, { delayMs: -5 })],
  ['delay and availableAt', 'INVALID_ARGUMENT', /options/, (q) => q.enqueue({}, { delayMs: 5, availableAt: new Date() })],
  ['availableAt invalid', 'INVALID_ARGUMENT', /availableAt/, (q) => q.enqueue({}, { availableAt: new Date('nope') })],
  ['availableAt before year 1000', 'INVALID_ARGUMENT', /availableAt/, (q) => q.enqueue({}, { availableAt: new Date(-8.64e15) })],
  ['availableAt after year 9999', 'INVALID_ARGUMENT', /availableAt/, (q) => q.enqueue({}, { availableAt: new Date(8.64e15) })],
  ['dedupe key with a lone surrogate', 'INVALID_ARGUMENT', /dedupeKey/, (q) => q.enqueue({}, { dedupeKey: 'k\ud800' })],
  ['enqueue id with a lone surrogate', 'INVALID_ARGUMENT', /options\.id/, (q) => q.enqueue({}, { id: '\udfffid' })],
  ['priority fractional', 'INVALID_ARGUMENT', /priority/, (q) => q.enqueue({}, { priority: 0.5 })],
  ['dedupe key empty', 'INVALID_ARGUMENT', /dedupeKey/, (q) => q.enqueue({}, { dedupeKey: '' })],
  ['dedupe key too long', 'INVALID_ARGUMENT', /dedupeKey/, (q) => q.enqueue({}, { dedupeKey: 'k'.repeat(500) })],
  ['group key empty', 'INVALID_ARGUMENT', /groupKey/, (q) => q.enqueue({}, { groupKey: '' })],
  ['group key with a control character', 'INVALID_ARGUMENT', /groupKey/, (q) => q.enqueue({}, { groupKey: 'a\nb' })],
  ['retry id empty', 'INVALID_ARGUMENT', /retry\.id/, (q) => q.retry('')],
  ['unknown enqueue option', 'UNKNOWN_OPTION', /dedupKey/, (q) => q.enqueue({}, { dedupKey: 'a' } as never)],
  ['enqueueMany not an array', 'INVALID_ARGUMENT', /items/, (q) => q.enqueueMany('x' as never)],
  ['enqueue transaction a number', 'INVALID_ARGUMENT', /enqueue\.options\.transaction/, (q) => q.enqueue({}, { transaction: 5 })],
  ['enqueueMany transaction misspelt', 'UNKNOWN_OPTION', /transacton/, (q) => q.enqueueMany([{ payload: 1 }], { transacton: {} } as never)],
  [
    'transaction inside an enqueueMany item',
    'UNKNOWN_OPTION',
    /items\[0\]\.options\.transaction/,
    (q) => q.enqueueMany([{ payload: 1, transaction: {} } as never]),
  ],
  ['enqueueMany one bad item', 'INVALID_PAYLOAD', /items\[1\]/, (q) => q.enqueueMany([{ payload: 1 }, { payload: 2n }])],
  [
    'enqueueMany duplicate keys',
    'INVALID_ARGUMENT',
    /dedupeKey/,
    (q) =>
      q.enqueueMany([
        { payload: 1, dedupeKey: 'd' },
        { payload: 2, dedupeKey: 'd' },
      ]),
  ],
  ['guard without token', 'INVALID_ARGUMENT', /token/, (q) => q.guardBeforeSend({ id: 'x' } as never)],
  ['guard token with SQL', 'INVALID_ARGUMENT', /token/, (q) => q.guardBeforeSend({ id: 'x', token: "' OR 1=1 --" })],
  ['guard token too short', 'INVALID_ARGUMENT', /token/, (q) => q.guardBeforeSend({ id: 'x', token: 'abc' })],
  ['guard token a number', 'INVALID_ARGUMENT', /token/, (q) => q.guardBeforeSend({ id: 'x', token: 1234567890123456 as never })],
  ['extend token with a space', 'INVALID_ARGUMENT', /token/, (q) => q.extendLease({ id: 'x', token: 'AAAAAAAA AAAAAAAAAAAA' })],
  ['id with a NUL', 'INVALID_ARGUMENT', /id/, (q) => q.ack({ id: 'a\u0000b', token: ref.token })],
  ['id too long', 'INVALID_ARGUMENT', /id/, (q) => q.release({ id: 'x'.repeat(500), token: ref.token })],
  ['get id an object', 'INVALID_ARGUMENT', /get\.id/, (q) => q.get({} as never)],
  ['enqueue id with a newline', 'INVALID_ARGUMENT', /options\.id/, (q) => q.enqueue({}, { id: 'a\nb' })],
  ['ack id empty', 'INVALID_ARGUMENT', /id/, (q) => q.ack({ id: '', token: ref.token })],
  ['ack id number', 'INVALID_ARGUMENT', /id/, (q) => q.ack({ id: 5 as never, token: ref.token })],
  ['ack null', 'INVALID_ARGUMENT', /message/, (q) => q.ack(null as never)],
  ['fail without error', 'INVALID_ARGUMENT', /error/, (q) => q.fail(ref, undefined)],
  ['fail retryable "no"', 'INVALID_ARGUMENT', /retryable/, (q) => q.fail(ref, 'x', { retryable: 'no' as never })],
  ['release delay NaN', 'INVALID_ARGUMENT', /delayMs/, (q) => q.release(ref, { delayMs: Number.NaN })],
  ['extend lease -1', 'INVALID_ARGUMENT', /leaseMs/, (q) => q.extendLease(ref, { leaseMs: -1 })],
  ['recycle limit 0', 'INVALID_ARGUMENT', /limit/, (q) => q.recycleStuck({ limit: 0 })],
  ['diagnose unknown option', 'UNKNOWN_OPTION', /verbose/, (q) => q.diagnose({ verbose: true } as never)],
  ['runOnce without send', 'INVALID_ARGUMENT', /send/, (q) => q.runOnce({} as never)],
  ['runOnce budget 0', 'INVALID_ARGUMENT', /timeBudgetMs/, (q) => q.runOnce({ send: async () => {}, timeBudgetMs: 0 })],
  ['runOnce concurrency 0', 'INVALID_ARGUMENT', /concurrency/, (q) => q.runOnce({ send: async () => {}, concurrency: 0 })],
  ['retryMany status PENDING', 'INVALID_ARGUMENT', /status/, (q) => q.retryMany({ status: 'PENDING' as never })],
  ['retryMany olderThanMs -1', 'INVALID_ARGUMENT', /olderThanMs/, (q) => q.retryMany({ olderThanMs: -1 })],
  ['retryMany errorContains empty', 'INVALID_ARGUMENT', /errorContains/, (q) => q.retryMany({ errorContains: '' })],
  ['retryMany ids not an array', 'INVALID_ARGUMENT', /ids/, (q) => q.retryMany({ ids: 5 as never })],
  ['retryMany unknown option', 'UNKNOWN_OPTION', /olderThan/, (q) => q.retryMany({ olderThan: 5 } as never)],
  ['markSent no ids', 'INVALID_ARGUMENT', /ids/, (q) => q.markSent([])],
  ['markSent an empty id', 'INVALID_ARGUMENT', /ids/, (q) => q.markSent([''])],
  ['releaseStuck without ids or age', 'INVALID_ARGUMENT', /ids/, (q) => q.releaseStuck({ force: true })],
  ['releaseStuck sending "maybe"', 'INVALID_ARGUMENT', /sending/, (q) => q.releaseStuck({ ids: ['x'], sending: 'maybe' as never })],
  ['releaseStuck force "yes"', 'INVALID_ARGUMENT', /force/, (q) => q.releaseStuck({ ids: ['x'], force: 'yes' as never })],
  ['purge without olderThanMs', 'INVALID_ARGUMENT', /olderThanMs/, (q) => q.purge({} as never)],
  ['purge status PENDING', 'INVALID_ARGUMENT', /status/, (q) => q.purge({ olderThanMs: 1, status: 'PENDING' as never })],
  ['purge limit 0', 'INVALID_ARGUMENT', /limit/, (q) => q.purge({ olderThanMs: 1, limit: 0 })],
  ['recycle dryRun "yes"', 'INVALID_ARGUMENT', /dryRun/, (q) => q.recycleStuck({ dryRun: 'yes' as never })],
];

/** The bad inputs a `client`-scope run tries. */
const CLIENT_CASES = ['payload too large', 'enqueueMany one bad item', 'guard token with SQL', 'id too long'];

/** Bad input: typed errors with a code and the field named, and the storage unchanged. */
export function badInputSuite(f: Fixture, scope: 'full' | 'client' = 'full'): void {
  // The core refuses these before the adapter is called: a client adds nothing to them but the
  // write it must not make, which a few cases show.
  const cases = scope === 'full' ? BAD_INPUTS : BAD_INPUTS.filter(([label]) => CLIENT_CASES.includes(label));
  describe('bad input', () => {
    it.each(cases)('%s → %s, nothing written', async (_label, code, field, call) => {
      const q = f.queue();
      const { id } = await q.enqueue({ keep: true }, { dedupeKey: 'sentinel' });
      const before = await q.diagnose();
      const row = await q.get(id);
      const snapshot = await f.ctx.snapshot?.();
      const error = await call(q).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(MsgQueueError.isInstance(error), `expected a MsgQueueError, got ${String(error)}`).toBe(true);
      const e = error as MsgQueueError;
      expect(e.code).toBe(code);
      expect(e.message).toMatch(field);
      // The message names the field it is about, so a developer knows what to fix.
      expect(e.field, 'a field is named').toBeTruthy();
      expect(e.message).toContain(
        e
          .field!.split('.')
          .pop()!
          .replace(/\[\d+\]$/, ''),
      );
      const after = await q.diagnose();
      expect(after.counts).toEqual(before.counts);
      expect(after.total).toBe(1);
      expect(await q.get(id)).toEqual(row);
      if (f.ctx.snapshot) expect(await f.ctx.snapshot()).toEqual(snapshot);
    });
  });
}
