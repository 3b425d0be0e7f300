import { createQueue } from '@org/msgqueue';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import pg from 'pg';
const LIMIT = Number(process.env.LIMIT ?? 50);
let remaining = Number(process.env.N ?? 200000);
let seq = 0;
const now = Date.now();
const real = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 1 });
const claimRows = (n: number, token: string, status: string, tag?: number) => Array.from({ length: n }, () => ({ ...(tag === undefined ? {} : { msgqueue_ack: tag }), id: `0000000${++seq}-aaaaaaaaaaaaaaaaaaaaaaaaaa`, status, payload: '{"n":0}', attempts: 1, priority: 0, availableAt: String(now), dedupeKey: null, groupKey: null, claimToken: token, leaseUntil: String(now + 600000), possiblySent: false, lastError: null, createdAt: String(now), updatedAt: String(now) }));
const fake = {
  async query(q: any, v?: any) {
    const text: string = typeof q === 'string' ? q : q.text;
    const values: unknown[] = (typeof q === 'string' ? v : q.values) ?? [];
    if (text.startsWith('WITH acked')) {
      const [ids] = values as string[][];
      const n = Math.min(remaining, LIMIT); remaining -= n;
      const token = values.find((x) => typeof x === 'string' && x.length === 22) as string;
      const rows = [...claimRows(n, token, 'SENDING', 0), ...ids!.map((id) => ({ msgqueue_ack: 1, id, status: 'SENT', payload: null, attempts: 1, priority: null, availableAt: String(now), dedupeKey: null, groupKey: null, claimToken: null, leaseUntil: null, possiblySent: false, lastError: null, createdAt: null, updatedAt: null }))];
      return { rows, rowCount: rows.length };
    }
    if (text.startsWith('WITH picked')) {
      const n = Math.min(remaining, LIMIT); remaining -= n;
      const token = values.find((x) => typeof x === 'string' && x.length === 22) as string;
      return { rows: claimRows(n, token, 'SENDING'), rowCount: n };
    }
    if (text.startsWith('UPDATE')) {
      const [ids] = values as string[][];
      const rows = ids!.map((id) => ({ id, status: 'SENT', attempts: 1, availableAt: String(now), claimToken: null, leaseUntil: null, possiblySent: false }));
      return { rows, rowCount: rows.length };
    }
    if (text.includes('IS NOT NULL LIMIT 1')) return { rows: [], rowCount: 0 };
    return real.query(text, values);
  },
};
const queue = createQueue({ adapter: pgAdapter(fake as never, { lockTable: false }), hooks: {} });
await queue.diagnose({ sampleSize: 0 }).catch(() => {});
const total = remaining;
const t = performance.now(); const cpu = process.cpuUsage();
await Promise.all(Array.from({ length: 4 }, async () => { for (;;) { const s = await queue.runOnce({ overlap: 'allow', recycle: false, limit: LIMIT, concurrency: LIMIT, send: async () => {} }); if (s.claimed === 0) return; } }));
const u = process.cpuUsage(cpu);
console.log(`lib JS only (batch ${LIMIT}):`, ((u.user + u.system) / total).toFixed(1), 'µs/msg', Math.round(total / ((performance.now() - t) / 1000)), 'msg/s');
await real.end();
