import { type ClaimedMessage, createQueue, type SendContext } from '@org/msgqueue';
import { prismaAdapter } from '@org/msgqueue-prisma';
import { prisma } from './db';
import { askAssistant, sendSms } from './provider';

/** A text to send; `messageId` is its row in the transcript. */
export interface Outgoing {
  to: string;
  text: string;
  messageId: string;
}

/** A text a customer sent, as the provider's webhook delivered it. */
export interface Incoming {
  from: string;
  text: string;
  messageId: string;
}

// Both queues live in one table (msgqueue_messages), told apart by name; each conversation is a
// group, so its messages are handled one at a time, in the order they came.
const adapter = prismaAdapter(prisma, { dialect: 'postgresql' });
// A lease well past a send's worst case (the provider's own timeout), retries from 10 s doubling to
// an hour; both tunable per deployment (the end-to-end test shortens them).
const options = {
  adapter,
  leaseMs: Number(process.env.QUEUE_LEASE_MS ?? 120_000),
  backoff: { baseMs: Number(process.env.QUEUE_RETRY_BASE_MS ?? 10_000) },
  maxAttempts: 5,
};

export const outgoing = createQueue<Outgoing>({ ...options, name: 'outgoing' });
export const incoming = createQueue<Incoming>({ ...options, name: 'incoming' });

export const conversationGroup = (phone: string) => `conversation:${phone}`;

/** process-queue's send: one text to the provider, under the message's idempotency key. */
export async function deliver(m: ClaimedMessage<Outgoing>, { signal }: SendContext): Promise<void> {
  await sendSms(m.payload.to, m.payload.text, m.idempotencyKey, signal);
}

/**
 * process-incoming's work for one received text: ask the assistant for a reply, then record the reply
 * and queue it for sending in one transaction. Run again after a crash, it writes nothing twice: the
 * reply's row id and dedupe key come from the incoming message.
 */
export async function answer(m: ClaimedMessage<Incoming>, { signal }: SendContext): Promise<void> {
  const { from, messageId } = m.payload;
  const conversation = await prisma.conversation.findUniqueOrThrow({
    where: { phone: from },
    include: { messages: { orderBy: { createdAt: 'asc' }, select: { direction: true, text: true } } },
  });
  const reply = await askAssistant(messageId, conversation.messages, m.idempotencyKey, signal);
  const replyId = `reply:${messageId}`;
  await prisma.$transaction(async (tx) => {
    await tx.message.upsert({
      where: { id: replyId },
      create: { id: replyId, conversationId: conversation.id, direction: 'out', text: reply },
      update: {},
    });
    await outgoing.enqueue(
      { to: from, text: reply, messageId: replyId },
      { transaction: tx, dedupeKey: replyId, groupKey: conversationGroup(from) },
    );
  });
}
