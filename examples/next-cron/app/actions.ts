'use server';

import { sendText } from '@/lib/messages';

/** The form's action: record the text and queue it, in one transaction. */
export async function sendMessage(formData: FormData): Promise<void> {
  const phone = String(formData.get('phone') ?? '').trim();
  const text = String(formData.get('text') ?? '').trim();
  if (!phone || !text) throw new Error('phone and text are required');
  await sendText(phone, text);
}
