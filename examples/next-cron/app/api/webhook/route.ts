// The provider posts each text a customer sends here; it is recorded and queued in one transaction.
import { receiveText } from '@/lib/messages';

export async function POST(request: Request): Promise<Response> {
  if (request.headers.get('authorization') !== `Bearer ${process.env.WEBHOOK_SECRET}` || !process.env.WEBHOOK_SECRET) {
    return Response.json({ error: 'unauthorized' }, { status: 401 });
  }
  const body = (await request.json()) as { id?: unknown; from?: unknown; text?: unknown };
  if (typeof body.id !== 'string' || typeof body.from !== 'string' || typeof body.text !== 'string') {
    return Response.json({ error: 'expected { id, from, text } strings' }, { status: 400 });
  }
  return Response.json(await receiveText(body.from, body.text, body.id));
}
