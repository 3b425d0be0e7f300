import { invalidArgument, MsgQueueError } from '../errors/msgqueue-error.js';

/**
 * The one check of an options object, for the core and every adapter: `undefined` is `{}`; anything
 * but a plain object is INVALID_ARGUMENT; a key outside `allowed` is UNKNOWN_OPTION naming it, the
 * closest known key ("did you mean …?") and every known one. Returns the object typed.
 *
 * ```ts
 * checkOptions(options, 'options', ['dialect', 'table']); // { tabel: 'x' } → options.tabel: unknown option (did you mean "table"?) …
 * ```
 *
 * @category Errors
 */
export function checkOptions<T extends object>(value: unknown, field: string, allowed: readonly string[]): Partial<T> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(field, `expected an options object, got ${describe(value)}.`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const hint = closest(key, allowed);
      throw new MsgQueueError(
        'UNKNOWN_OPTION',
        `${field}.${key}: unknown option${hint ? ` (did you mean "${hint}"?)` : ''}. Known options: ${allowed.join(', ')}.`,
        { field: `${field}.${key}` },
      );
    }
  }
  return value as Partial<T>;
}

/** An integer in [min, max]; `undefined` gives `fallback`. Rejects strings, NaN, fractions. */
export function int(value: unknown, field: string, min: number, max: number, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidArgument(field, `expected a whole number from ${min} to ${max}, got ${describe(value)}.`);
  }
  if (value < min || value > max) {
    throw invalidArgument(field, `must be from ${min} to ${max}, got ${value}.`);
  }
  return value;
}

/** A boolean; `undefined` gives `fallback`. */
export function bool(value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidArgument(field, `expected true or false, got ${describe(value)}.`);
  return value;
}

/** One of `choices`; `undefined` gives `fallback`. */
export function oneOf<T extends string>(value: unknown, field: string, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw invalidArgument(field, `expected one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${describe(value)}.`);
  }
  return value as T;
}

/** A function; `undefined` gives undefined. */
export function fn<T extends (...args: never[]) => unknown>(value: unknown, field: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw invalidArgument(field, `expected a function, got ${describe(value)}.`);
  return value as T;
}

/** Times every supported database stores in its date-time columns (MySQL DATETIME: years 1000–9999). */
export const DATE_RANGE = { min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) } as const;

/** A valid Date that every supported database can store; `undefined` gives undefined. */
export function date(value: unknown, field: string): Date | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw invalidArgument(field, `expected a valid Date, got ${describe(value)}.`);
  }
  const t = value.getTime();
  if (t < DATE_RANGE.min || t > DATE_RANGE.max) {
    throw invalidArgument(
      field,
      `expected a Date from year 1000 to 9999 (what every supported database stores), got ${value.toISOString()}.`,
    );
  }
  return value;
}

const MAX_KEY_LENGTH = 191; // fits a utf8mb4 VARCHAR index on every MySQL version
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses.
const CONTROL = /[\u0000-\u001f\u007f]/;
// Built once: a bundler targeting an older runtime turns the literal into a `new RegExp` per call.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** A message id or dedupe key: 1–191 characters, no control characters. */
export function key(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_KEY_LENGTH) {
    throw invalidArgument(field, `expected a string of 1 to ${MAX_KEY_LENGTH} characters, got ${describe(value)}.`);
  }
  if (CONTROL.test(value)) {
    throw invalidArgument(field, 'must not contain control characters.');
  }
  if (LONE_SURROGATE.test(value)) {
    throw invalidArgument(field, 'must be valid Unicode (it has a lone UTF-16 surrogate).');
  }
  return value;
}

const TOKEN = /^[A-Za-z0-9_-]{16,64}$/;

/** A claim token as the queue issues them. */
export function token(value: unknown, field: string): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw invalidArgument(field, `expected the claim token from claimBatch (16–64 letters, digits, "-" or "_"), got ${describe(value)}.`);
  }
  return value;
}

/** A short, safe description of a value for error messages (never its full contents). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'bigint') return `${value}n (a BigInt)`;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid Date' : 'a Date';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function closest(word: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const choice of choices) {
    const d = distance(word.toLowerCase(), choice.toLowerCase());
    if (d < bestDistance) {
      best = choice;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
