// The status page for people: both queues at a glance, behind a sign-in with MSGQUEUE_ADMIN_SECRET
// (a signed HttpOnly cookie; every form carries a CSRF token). Reads the request, so Next.js never
// prerenders or caches it.
import { statusPage } from '@org/msgqueue';
import { incoming, outgoing } from '@/lib/queues';

const page = statusPage({ queues: [outgoing, incoming], basePath: '/admin/queues' });

export const GET = page;
export const POST = page;
