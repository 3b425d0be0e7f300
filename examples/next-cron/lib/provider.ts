import { PermanentSendError, RetryableSendError } from '@org/msgqueue';

// The app's two outside services, over HTTP: the SMS provider and the assistant that writes replies.
const base = () => process.env.PROVIDER_URL ?? 'http://127.0.0.1:4010';

/**
 * POST to the provider and read its answer the way the queue needs it: 2xx delivered; 429 or 503 the
 * provider certainly did not take it (retry); another 4xx refused for good; anything else (a 500, a
 * timeout, a dropped connection) may have arrived — the queue retries it under the same idempotency key.
 */
async function post(path: string, body: unknown, idempotencyKey: string, signal: AbortSignal): Promise<Response> {
  const res = await fetch(`${base()}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
    signal,
  });
  if (res.ok) return res;
  const detail = `${path}: ${res.status} ${(await res.text()).slice(0, 200)}`;
  if (res.status === 429 || res.status === 503) throw new RetryableSendError(detail);
  if (res.status >= 400 && res.status < 500) throw new PermanentSendError(detail);
  throw new Error(detail);
}

/** Send a text message. */
export async function sendSms(to: string, text: string, idempotencyKey: string, signal: AbortSignal): Promise<void> {
  await post('/messages', { to, text }, idempotencyKey, signal);
}

/** Ask the assistant for the reply to one received message, given the conversation's transcript. */
export async function askAssistant(
  messageId: string,
  transcript: { direction: string; text: string }[],
  idempotencyKey: string,
  signal: AbortSignal,
): Promise<string> {
  const res = await post('/assistant', { messageId, transcript }, idempotencyKey, signal);
  return ((await res.json()) as { reply: string }).reply;
}
