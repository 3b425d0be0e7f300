import { prisma } from './db';
import { conversationGroup, incoming, outgoing } from './queues';

/**
 * Record a text the app sends and queue it, in one transaction: if the write rolls back, no message
 * leaves; if it commits, the next process-queue tick sends it.
 */
export async function sendText(phone: string, text: string): Promise<{ messageId: string }> {
  return prisma.$transaction(async (tx) => {
    const conversation = await tx.conversation.upsert({ where: { phone }, create: { phone }, update: {} });
    const message = await tx.message.create({ data: { conversationId: conversation.id, direction: 'out', text } });
    await outgoing.enqueue({ to: phone, text, messageId: message.id }, { transaction: tx, groupKey: conversationGroup(phone) });
    return { messageId: message.id };
  });
}

/**
 * Record a text a customer sent (the provider's webhook) and queue it for an answer, in one
 * transaction. Providers deliver webhooks at least once: a repeat writes nothing.
 */
export async function receiveText(from: string, text: string, providerId: string): Promise<{ created: boolean }> {
  const messageId = `in:${providerId}`;
  return prisma.$transaction(async (tx) => {
    const conversation = await tx.conversation.upsert({ where: { phone: from }, create: { phone: from }, update: {} });
    await tx.message.upsert({
      where: { id: messageId },
      create: { id: messageId, conversationId: conversation.id, direction: 'in', text },
      update: {},
    });
    const { created } = await incoming.enqueue(
      { from, text, messageId },
      { transaction: tx, dedupeKey: messageId, groupKey: conversationGroup(from) },
    );
    return { created };
  });
}
