/**
 * Payload serialisation: byte for byte what JSON.stringify writes for every value JSON keeps as it
 * is, without recursion, and a typed refusal for everything else (the refusals are rows of the
 * conformance suite's bad-input matrix).
 */
import { createQueue, MsgQueueError, memoryAdapter } from '@org/msgqueue';
import { describe, expect, it } from 'vitest';

const queue = () => createQueue({ adapter: memoryAdapter() });

async function stored(payload: unknown): Promise<unknown> {
  const q = queue();
  const { id } = await q.enqueue(payload);
  return (await q.get(id))!.payload;
}

describe('payload serialisation', () => {
  const samples: [string, unknown][] = [
    ['scalars', [1, -0, 1.5e300, 'é🙂', true, false, null]],
    ['nested objects in key order', { b: 1, a: { z: [1, { y: 'x' }], c: null } }],
    ['undefined properties left out', { a: undefined, b: 1 }],
    ['a Date as its ISO string', { at: new Date(Date.UTC(2026, 10, 29, 12)) }],
    ['toJSON with its key', { when: { toJSON: (key: string) => `key:${key}` } }],
    ['toJSON in an array gets the index', [{ toJSON: (key: string) => key }]],
    ['toJSON answering undefined leaves the property out', { gone: { toJSON: () => undefined }, kept: 1 }],
    ['boxed primitives', { n: Object(5), s: Object('x'), b: Object(false) }],
    ['an empty object and array', { o: {}, a: [] }],
    ['a surrogate pair', { s: '\ud83d\ude00' }],
  ];
  for (const [label, value] of samples) {
    it(`${label}: stored as JSON.stringify writes it`, async () => {
      expect(await stored(value)).toEqual(JSON.parse(JSON.stringify(value)));
    });
  }

  it('31 levels of nesting are stored; the limit can be raised', async () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 31; i++) deep = [deep];
    expect(await stored(deep)).toEqual(deep);
    const q = createQueue({ adapter: memoryAdapter(), maxPayloadDepth: 500 });
    let deeper: unknown = 0;
    for (let i = 0; i < 500; i++) deeper = { d: deeper };
    await expect(q.enqueue(deeper)).resolves.toMatchObject({ created: true });
  });

  it('refuses a payload nested far past the call stack without overflowing it', async () => {
    let deep: unknown = [];
    for (let i = 0; i < 1_000_000; i++) deep = [deep];
    const error = await queue()
      .enqueue(deep)
      .catch((e: unknown) => e);
    expect(MsgQueueError.isInstance(error, 'INVALID_PAYLOAD')).toBe(true);
  });

  it('a shared (not circular) object is written twice, as JSON does', async () => {
    const shared = { x: 1 };
    expect(await stored({ a: shared, b: [shared] })).toEqual({ a: { x: 1 }, b: [{ x: 1 }] });
  });
});
