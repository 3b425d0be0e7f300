export type { MsgQueueErrorCode, MsgQueueErrorDetails } from './msgqueue-error.js';
export { invalidArgument, MsgQueueError } from './msgqueue-error.js';
export type { SendOutcome } from './send-errors.js';
export { classifySendError, PermanentSendError, RateLimitedSendError, RetryableSendError, retryAfterMs } from './send-errors.js';
