/**
 * The scale table: claim latency and diagnose time with 10k, 100k and 1M rows in the table, 99 %
 * of them SENT — the claim must stay O(batch) as history piles up.
 */
import { createQueue } from '@org/msgqueue';
import { schemaSql, splitStatements } from '@org/msgqueue-sql';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import pg from 'pg';
import { openTarget, POSTGRES_TARGETS } from './operators.js';

export interface ScaleRow {
  rows: number;
  claimP50Ms: number;
  claimP99Ms: number;
  diagnoseMs: number;
  /** At the largest size: diagnose (warm, median of 5) through each PostgreSQL client. */
  diagnoseByClientMs: Record<string, number>;
  /** The statuses diagnose estimated rather than counted. */
  estimated: string[];
}

const CLAIMS = 300;

export const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

export async function scaleTable(url: string, sizes: number[], log: (...a: unknown[]) => void): Promise<ScaleRow[]> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const out: ScaleRow[] = [];
  try {
    for (const rows of sizes) {
      for (const s of splitStatements(schemaSql('postgresql'))) await pool.query(s);
      await pool.query('TRUNCATE msgqueue_messages');
      // 99 % SENT history with 1 % PENDING spread through it, a few FAILED and HELD; a dedupe key on
      // every tenth row and 60-character payloads, as an app's table has.
      await pool.query(
        `INSERT INTO msgqueue_messages (id, queue, status, payload, available_at, created_at, updated_at, dedupe_key, possibly_sent)
         SELECT lpad(to_hex(i), 12, '0') || '-' || md5(i::text), 'default',
                CASE WHEN i % 100 = 0 THEN 'PENDING' WHEN i % 1000 = 1 THEN 'FAILED' WHEN i % 5000 = 2 THEN 'HELD' ELSE 'SENT' END,
                json_build_object('to', '+3361234' || lpad((i % 10000)::text, 4, '0'), 'body', repeat('x', 24)),
                now() - (($1 - i) * interval '1 second'), now() - (($1 - i) * interval '1 second'),
                now() - (($1 - i) * interval '1 second'),
                CASE WHEN i % 10 = 0 THEN 'order-' || i END, i % 5000 = 2
         FROM generate_series(1, $1) AS i`,
        [rows],
      );
      await pool.query('VACUUM ANALYZE msgqueue_messages');
      const queue = createQueue({ adapter: pgAdapter(pool, { lockTable: false }) });
      await queue.diagnose({ sampleSize: 0 }); // first use
      const claims: number[] = [];
      for (let i = 0; i < CLAIMS; i++) {
        const t = performance.now();
        const claim = await queue.claimBatch({ limit: 10 });
        claims.push(performance.now() - t);
        for (const m of claim.messages) await queue.release(m); // back to PENDING, attempt refunded
      }
      const diagnoses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await queue.diagnose();
        diagnoses.push(performance.now() - t);
      }
      const byClient: Record<string, number> = {};
      let estimated: string[] = [];
      if (rows === Math.max(...sizes)) {
        // The largest table through every PostgreSQL client: warm (the schema read done), median of 5.
        for (const name of POSTGRES_TARGETS) {
          const opened = await openTarget(name, url);
          try {
            const q = createQueue({ adapter: opened.adapter });
            const report = await q.diagnose();
            estimated = report.estimated;
            const times: number[] = [];
            for (let i = 0; i < 5; i++) {
              const t = performance.now();
              await q.diagnose();
              times.push(performance.now() - t);
            }
            byClient[name] = percentile(times, 50);
          } finally {
            await opened.close();
          }
        }
      }
      const row = {
        rows,
        claimP50Ms: percentile(claims, 50),
        claimP99Ms: percentile(claims, 99),
        diagnoseMs: percentile(diagnoses, 50),
        diagnoseByClientMs: byClient,
        estimated,
      };
      out.push(row);
      log(
        `scale ${String(rows).padStart(8)} rows: claim p50 ${row.claimP50Ms.toFixed(2)} ms, p99 ${row.claimP99Ms.toFixed(2)} ms, diagnose ${row.diagnoseMs.toFixed(0)} ms${Object.entries(
          byClient,
        )
          .map(([k, v]) => `, ${k} ${v.toFixed(0)} ms`)
          .join('')}`,
      );
    }
  } finally {
    await pool.end();
  }
  return out;
}
