/**
 * `@/lib/whatsapp` in the guides: the provider client an app already has — one HTTP call per text,
 * an idempotency key, an abort signal, and an error that keeps the HTTP status.
 */
export interface WhatsAppText {
  to: string;
  text: string;
}

/** The provider answered something other than 2xx. */
export class WhatsAppError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`WhatsApp answered ${status}: ${body.slice(0, 200)}`);
  }
}

export const whatsapp = {
  async send(message: WhatsAppText, options: { idempotencyKey: string; signal?: AbortSignal }): Promise<{ id: string }> {
    const res = await fetch('https://provider.example/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': options.idempotencyKey },
      body: JSON.stringify(message),
      signal: options.signal ?? null,
    });
    if (!res.ok) throw new WhatsAppError(res.status, await res.text());
    return (await res.json()) as { id: string };
  },
};
