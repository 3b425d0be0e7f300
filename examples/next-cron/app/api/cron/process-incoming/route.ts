// Received texts, answered one conversation at a time, in order (each conversation is a group).
import { cronHandler } from '@org/msgqueue';
import { answer, incoming } from '@/lib/queues';

export const maxDuration = 60;
export const GET = cronHandler({ queue: incoming, send: answer, concurrency: 5, maxDuration });
