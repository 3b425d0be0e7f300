// The status page for people: both queues at a glance, their messages, and the operator actions
// (each a dry run first), behind a sign-in with MSGQUEUE_ADMIN_SECRET (a signed HttpOnly cookie;
// every form carries a CSRF token). Reads the request, so Next.js never prerenders or caches it.
import { statusPage } from '@org/msgqueue';
import { incoming, outgoing } from '@/lib/queues';

/** A phone number with its middle hidden: +33 6 …… 78. */
const mask = (phone: string) => `${phone.slice(0, 4)}…${phone.slice(-2)}`;

const page = statusPage({
  queues: [outgoing, incoming],
  basePath: '/admin/queues',
  // A payload shows only when an operator asks for it, its phone number masked (the group key,
  // conversation:<phone>, still names the conversation).
  redact: (p: { to?: string; from?: string; text: string; messageId: string }) => ({
    ...p,
    ...(p.to ? { to: mask(p.to) } : {}),
    ...(p.from ? { from: mask(p.from) } : {}),
  }),
});

export const GET = page;
export const POST = page;
