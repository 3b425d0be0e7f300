export { MsgQueueError, invalidArgument } from './msgqueue-error.js';
export type { MsgQueueErrorCode, MsgQueueErrorDetails } from './msgqueue-error.js';
export { PermanentSendError, isRetryableByDefault } from './send-errors.js';
