/**
 * The scale table: claim latency and diagnose time with 10k, 100k and 1M rows in the table, 99 %
 * of them SENT — the claim must stay O(batch) as history piles up.
 */
import { createQueue } from '@org/msgqueue';
import { schemaSql, splitStatements } from '@org/msgqueue-sql';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import pg from 'pg';

export interface ScaleRow {
  rows: number;
  claimP50Ms: number;
  claimP99Ms: number;
  diagnoseMs: number;
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
      // 99 % SENT history, 1 % PENDING spread through it.
      await pool.query(
        `INSERT INTO msgqueue_messages (id, queue, status, payload, available_at, created_at, updated_at)
         SELECT lpad(to_hex(i), 12, '0') || '-' || md5(i::text), 'default',
                CASE WHEN i % 100 = 0 THEN 'PENDING' ELSE 'SENT' END, '{"n":0}',
                now() - (($1 - i) * interval '1 second'), now() - (($1 - i) * interval '1 second'), now()
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
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await queue.diagnose();
        diagnoses.push(performance.now() - t);
      }
      const row = { rows, claimP50Ms: percentile(claims, 50), claimP99Ms: percentile(claims, 99), diagnoseMs: percentile(diagnoses, 50) };
      out.push(row);
      log(
        `scale ${String(rows).padStart(8)} rows: claim p50 ${row.claimP50Ms.toFixed(2)} ms, p99 ${row.claimP99Ms.toFixed(2)} ms, diagnose ${row.diagnoseMs.toFixed(0)} ms`,
      );
    }
  } finally {
    await pool.end();
  }
  return out;
}
