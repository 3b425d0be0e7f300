import { connection } from 'next/server';
import { Suspense } from 'react';
import { prisma } from '@/lib/db';
import { outgoing } from '@/lib/queues';
import { sendMessage } from './actions';

export default function Home() {
  return (
    <main>
      <h1>Messages</h1>
      <form action={sendMessage}>
        <input name="phone" placeholder="+33 6 12 34 56 78" required /> <input name="text" placeholder="Text" required />{' '}
        <button type="submit">Send</button>
      </form>
      <Suspense fallback={<p>Loading…</p>}>
        <Recent />
      </Suspense>
    </main>
  );
}

/** The latest texts and the outgoing queue's counts: read on every request, never at build time. */
async function Recent() {
  await connection();
  const [messages, report] = await Promise.all([
    prisma.message.findMany({ orderBy: { createdAt: 'desc' }, take: 20, include: { conversation: true } }),
    outgoing.diagnose({ sampleSize: 0 }),
  ]);
  return (
    <>
      <p>
        Outgoing: {report.counts.PENDING} pending, {report.counts.PROCESSING + report.counts.SENDING} in flight, {report.counts.SENT} sent,{' '}
        {report.counts.FAILED} failed, {report.counts.HELD} held.
      </p>
      <ul>
        {messages.map((m) => (
          <li key={m.id}>
            {m.direction === 'in' ? '←' : '→'} {m.conversation.phone}: {m.text}
          </li>
        ))}
      </ul>
    </>
  );
}
