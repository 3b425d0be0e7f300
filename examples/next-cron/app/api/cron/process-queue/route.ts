// Vercel Cron calls this every minute (vercel.json) with `Authorization: Bearer $CRON_SECRET`.
import { cronHandler } from '@org/msgqueue';
import { deliver, outgoing } from '@/lib/queues';

export const maxDuration = 60;
export const GET = cronHandler({ queue: outgoing, send: deliver, concurrency: 5, maxDuration });
