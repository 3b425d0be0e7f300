// For an uptime monitor: 200 while both queues are healthy, 503 when diagnose raises an alert.
// The monitor sends `Authorization: Bearer $STATUS_SECRET`: a secret of its own, not the one that runs ticks.
import { statusHandler } from '@org/msgqueue';
import { incoming, outgoing } from '@/lib/queues';

export const GET = statusHandler({ queues: [outgoing, incoming], secret: process.env.STATUS_SECRET });
