/**
 * Every error this library throws on purpose is a {@link MsgQueueError} with a stable {@link MsgQueueErrorCode}.
 *
 * Codes are part of the public API: they never change meaning between minor versions, so callers can
 * branch on `err.code` instead of parsing messages.
 *
 * @category Errors
 */
export type MsgQueueErrorCode =
  /** An argument or option has the wrong type or is out of range; `field` names it. */
  | 'INVALID_ARGUMENT'
  /** An options object holds a key this function does not know (a typo, usually); `field` names it. */
  | 'UNKNOWN_OPTION'
  /** A payload cannot be stored as JSON without changing it (BigInt, cycle, function, NaN, `\u0000`, …). */
  | 'INVALID_PAYLOAD'
  /** A payload is larger than `maxPayloadBytes` once serialised. */
  | 'PAYLOAD_TOO_LARGE'
  /** A table or column name is not a plain SQL identifier, or a mapping is incomplete or contradictory. */
  | 'INVALID_MAPPING'
  /** The storage does not have the table or columns the mapping names. */
  | 'SCHEMA_MISMATCH'
  /** The storage holds a value the queue cannot interpret (an unknown status, say). */
  | 'CORRUPT_ROW'
  /** The adapter does not keep the contract (returned more rows than asked, an unknown shape, …). */
  | 'ADAPTER_CONTRACT'
  /** The storage failed; `cause` holds the driver's error. */
  | 'STORAGE_ERROR'
  /** The adapter cannot do what was asked (it does not declare the capability); the message says what would. */
  | 'UNSUPPORTED';

const MARKER = Symbol.for('@org/msgqueue/error');

/**
 * Fields a {@link MsgQueueError} may carry besides its code and message.
 *
 * @category Errors
 */
export interface MsgQueueErrorDetails {
  /** The argument, option or column the error is about, as a dotted path (`options.limit`). */
  field?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/**
 * Base class of every error the library throws on purpose.
 *
 * Use {@link MsgQueueError.isInstance} rather than `instanceof`: it also recognises errors thrown by a
 * second copy of the package (two versions in one `node_modules`, or ESM and CJS side by side).
 *
 * @category Errors
 */
export class MsgQueueError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: MsgQueueErrorCode;
  /** The argument, option or column the error is about, when there is one. */
  readonly field: string | undefined;
  /** Brand read by {@link MsgQueueError.isInstance}; shared by every copy of the package. */
  readonly [MARKER] = true;

  /** Thrown by the queue and by adapters; `code` is stable, `message` says what to fix. */
  constructor(code: MsgQueueErrorCode, message: string, details: MsgQueueErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'MsgQueueError';
    this.code = code;
    this.field = details.field;
  }

  /** True when `value` is a {@link MsgQueueError} from any copy of this package, optionally of one code. */
  static isInstance(value: unknown, code?: MsgQueueErrorCode): value is MsgQueueError {
    if (typeof value !== 'object' || value === null) return false;
    if ((value as Record<symbol, unknown>)[MARKER] !== true) return false;
    return code === undefined || (value as MsgQueueError).code === code;
  }
}

/**
 * Shorthand for the error thrown when an argument is invalid.
 *
 * @category Errors
 */
export function invalidArgument(field: string, message: string): MsgQueueError {
  return new MsgQueueError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}
