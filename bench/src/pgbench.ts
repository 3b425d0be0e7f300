/**
 * The database's limit: pgbench running the raw claim and ack statements of `raw-batch-N` (prepared,
 * `LOOPS` clients) with no client work in between. What a queue in this table could reach on this
 * server; every system's figure is read against it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOOPS } from './systems.js';

/** Whether pgbench is installed (PostgreSQL's client tools); without it the rows are left out. */
export function hasPgbench(): boolean {
  return spawnSync('pgbench', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The raw claim of `limit` (ids kept with \gset) and the ack of those ids: one pgbench transaction. */
function script(limit: number): string {
  return `\\set tok random(1, 1000000000)
WITH c AS MATERIALIZED (SELECT id FROM msgqueue_messages WHERE queue = 'default' AND status = 'PENDING' AND available_at <= now() ORDER BY priority, available_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED), u AS (UPDATE msgqueue_messages m SET status = 'PROCESSING', claim_token = :tok, lease_until = now() + interval '10 minutes', attempts = m.attempts + 1, updated_at = now() FROM c WHERE m.id = c.id RETURNING m.id, m.payload) SELECT array_agg(id) AS ids FROM u \\gset
UPDATE msgqueue_messages SET status = 'SENT', claim_token = NULL, lease_until = NULL, updated_at = now() WHERE id = ANY(CAST(:ids AS text[])) AND claim_token = CAST(:tok AS text) AND status IN ('PROCESSING', 'SENDING');
`;
}

/** Drain `messages` (already in the table) in batches of `limit`; the elapsed time pgbench reports. */
export function pgbench(url: string, limit: number, messages: number): { ms: number } {
  const dir = mkdtempSync(join(tmpdir(), 'msgqueue-pgbench-'));
  try {
    const file = join(dir, `claim-ack-${limit}.sql`);
    writeFileSync(file, script(limit));
    const perClient = Math.ceil(messages / (LOOPS * limit));
    const out = execFileSync(
      'pgbench',
      ['-n', '-M', 'prepared', '-c', String(LOOPS), '-j', '2', '-t', String(perClient), '-f', file, url],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const tps = Number(/^tps = ([\d.]+)/m.exec(out)?.[1]);
    if (!Number.isFinite(tps) || tps <= 0) throw new Error(`pgbench gave no rate:\n${out}`);
    // Transactions are batches of `limit` messages.
    return { ms: (messages / (tps * limit)) * 1000 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
