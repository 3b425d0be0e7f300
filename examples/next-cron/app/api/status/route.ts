// For an uptime monitor: 200 while both queues are healthy, 503 when diagnose raises an alert.
import { statusHandler } from '@org/msgqueue';
import { incoming, outgoing } from '@/lib/queues';

export const GET = statusHandler({ queues: [outgoing, incoming] });
