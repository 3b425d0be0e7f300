export type { MsgQueueErrorCode, MsgQueueErrorDetails } from './msgqueue-error.js';
export { invalidArgument, MsgQueueError } from './msgqueue-error.js';
export type { SendOutcome } from './send-errors.js';
export { classifySendError, PermanentSendError, RetryableSendError } from './send-errors.js';
