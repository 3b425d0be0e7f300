import { MsgQueueError } from '../errors/msgqueue-error.js';

/**
 * Serialise a payload to JSON text exactly as `JSON.stringify` would — `toJSON` honoured (with its
 * key), boxed primitives unwrapped, `undefined` properties left out — while refusing, with a typed
 * error naming the path, anything JSON would silently change or a database cannot store: BigInt,
 * cycles, functions, symbols, NaN/±Infinity, `undefined` or a hole in an array or as the whole
 * payload, `\u0000` (PostgreSQL rejects it), lone UTF-16 surrogates (not Unicode; jsonb rejects
 * them), Map and Set (JSON turns them into `{}`), and nesting deeper than `maxDepth`.
 *
 * Iterative: however deep a value is, the walk never grows the call stack.
 */
export function serializePayload(payload: unknown, field: string, maxBytes: number, maxDepth: number): string {
  const text = toJson(payload, field, maxDepth);
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this refuses.
const NUL = /\u0000/;
/** In a `u` regex a surrogate pair is one code point, so only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** A string JSON and every database keep as it is: no NUL, well-formed UTF-16. */
function checkString(value: string, path: string, what: string): void {
  if (NUL.test(value)) throw bad(path, `${what} containing \\u0000`);
  if (LONE_SURROGATE.test(value)) throw bad(path, `${what} with a lone UTF-16 surrogate (not valid Unicode)`);
}

/** A container being written: its path, depth, and the entries still to write. */
interface Frame {
  obj: object;
  path: string;
  depth: number;
  isArray: boolean;
  keys: string[];
  next: number;
  /** Whether an entry was written yet (for commas). */
  wrote: boolean;
}

/**
 * What JSON.stringify does to a value before writing it: call `toJSON(key)` when there is one, then
 * unwrap Number, String and Boolean objects.
 */
function prepare(holderKey: string, value: unknown): unknown {
  let v = value;
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint')) {
    const toJSON = (v as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') v = toJSON.call(v, holderKey);
  }
  if (v instanceof Number) return Number(v);
  if (v instanceof String) return String(v);
  if (v instanceof Boolean) return v.valueOf();
  return v;
}

function toJson(payload: unknown, field: string, maxDepth: number): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  const open = new Set<object>();

  /** Write one value; containers are pushed to be written entry by entry. */
  const write = (raw: unknown, key: string, path: string, depth: number, inArray: boolean): 'written' | 'omitted' => {
    if (typeof raw === 'object' && raw instanceof Date && Number.isNaN(raw.getTime())) throw bad(path, 'an invalid Date');
    const value = prepare(key, raw);
    switch (typeof value) {
      case 'string':
        checkString(value, path, 'a string');
        out.push(JSON.stringify(value));
        return 'written';
      case 'number':
        if (!Number.isFinite(value)) throw bad(path, String(value));
        out.push(JSON.stringify(value));
        return 'written';
      case 'boolean':
        out.push(value ? 'true' : 'false');
        return 'written';
      case 'bigint':
        throw bad(path, 'a BigInt (convert it to a string)');
      case 'undefined':
        if (inArray) throw bad(path, raw === undefined ? 'undefined in an array' : 'a toJSON() answering undefined in an array');
        if (depth === 0) throw bad(path, raw === undefined ? 'undefined' : 'a toJSON() answering undefined');
        return 'omitted'; // JSON leaves undefined properties out, as the caller would expect
      case 'function':
      case 'symbol':
        throw bad(path, `a ${typeof value}`);
    }
    if (value === null) {
      out.push('null');
      return 'written';
    }
    const obj = value as object;
    if (obj instanceof Map || obj instanceof Set) throw bad(path, `a ${obj.constructor.name}`);
    if (open.has(obj)) throw bad(path, 'a circular reference');
    if (depth + 1 > maxDepth) {
      throw new MsgQueueError(
        'INVALID_PAYLOAD',
        `${path}: nested more than ${maxDepth} levels deep (maxPayloadDepth; MariaDB stores at most 31). Flatten the payload, or raise maxPayloadDepth if every database you use stores it.`,
        { field },
      );
    }
    open.add(obj);
    const isArray = Array.isArray(obj);
    out.push(isArray ? '[' : '{');
    stack.push({ obj, path, depth: depth + 1, isArray, keys: isArray ? [] : Object.keys(obj), next: 0, wrote: false });
    return 'written';
  };

  if (write(payload, '', field, 0, false) === 'omitted') throw bad(field, 'undefined');
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const length = frame.isArray ? (frame.obj as unknown[]).length : frame.keys.length;
    if (frame.next >= length) {
      out.push(frame.isArray ? ']' : '}');
      open.delete(frame.obj);
      stack.pop();
      continue;
    }
    const i = frame.next++;
    if (frame.isArray) {
      const path = `${frame.path}[${i}]`;
      if (!(i in frame.obj)) throw bad(path, 'a hole in a sparse array');
      if (frame.wrote) out.push(',');
      frame.wrote = true;
      write((frame.obj as unknown[])[i], String(i), path, frame.depth, true);
    } else {
      const key = frame.keys[i]!;
      const path = `${frame.path}.${key}`;
      checkString(key, frame.path, 'a key');
      const mark = out.length;
      if (frame.wrote) out.push(',');
      out.push(JSON.stringify(key), ':');
      if (write((frame.obj as Record<string, unknown>)[key], key, path, frame.depth, false) === 'omitted') out.length = mark;
      else frame.wrote = true;
    }
  }
  return out.join('');
}
