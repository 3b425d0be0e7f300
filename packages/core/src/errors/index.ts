export { MsgQueueError, invalidArgument } from './msgqueue-error.js';
export type { MsgQueueErrorCode, MsgQueueErrorDetails } from './msgqueue-error.js';
export { PermanentSendError, RetryableSendError, classifySendError } from './send-errors.js';
export type { SendOutcome } from './send-errors.js';
