import { MsgQueueError } from './errors/msgqueue-error.js';

/**
 * Serialise a payload to JSON text, refusing anything JSON would silently change or cannot hold:
 * BigInt, cycles, functions, symbols, NaN/±Infinity, `undefined` at the top or inside an array, and
 * `\u0000` (PostgreSQL text and jsonb reject it). Dates become ISO strings, as JSON does.
 */
export function serializePayload(payload: unknown, field: string, maxBytes: number): string {
  check(payload, field, new Set());
  const text = JSON.stringify(payload);
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    throw new MsgQueueError(
      'PAYLOAD_TOO_LARGE',
      `${field}: ${bytes} bytes once serialised, over maxPayloadBytes (${maxBytes}). Store large content elsewhere and enqueue a reference to it, or raise maxPayloadBytes.`,
      { field },
    );
  }
  return text;
}

function bad(field: string, what: string): MsgQueueError {
  return new MsgQueueError('INVALID_PAYLOAD', `${field}: ${what} cannot be stored as JSON without changing it.`, { field });
}

function check(value: unknown, path: string, seen: Set<object>): void {
  switch (typeof value) {
    case 'string':
      if (value.includes('\u0000')) throw bad(path, 'a string containing \\u0000');
      return;
    case 'number':
      if (!Number.isFinite(value)) throw bad(path, String(value));
      return;
    case 'boolean':
      return;
    case 'bigint':
      throw bad(path, 'a BigInt (convert it to a string)');
    case 'undefined':
      throw bad(path, 'undefined');
    case 'function':
    case 'symbol':
      throw bad(path, `a ${typeof value}`);
  }
  if (value === null) return;
  const obj = value as object;
  if (typeof (obj as { toJSON?: unknown }).toJSON === 'function') {
    if (obj instanceof Date && Number.isNaN(obj.getTime())) throw bad(path, 'an invalid Date');
    return;
  }
  if (seen.has(obj)) throw bad(path, 'a circular reference');
  seen.add(obj);
  if (Array.isArray(obj)) {
    for (const [i, item] of obj.entries()) check(item, `${path}[${i}]`, seen);
  } else {
    if (obj instanceof Map || obj instanceof Set) throw bad(path, `a ${obj.constructor.name}`);
    for (const [k, v] of Object.entries(obj)) {
      if (k.includes('\u0000')) throw bad(path, 'a key containing \\u0000');
      if (v === undefined) continue; // JSON omits undefined properties, as the caller would expect
      check(v, `${path}.${k}`, seen);
    }
  }
  seen.delete(obj);
}
