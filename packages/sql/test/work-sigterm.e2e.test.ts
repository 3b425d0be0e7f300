/**
 * SIGTERM during a send loses nothing (PostgreSQL, a real process): the worker is signalled while
 * the provider holds its first send open; the send finishes and is acknowledged, the messages its
 * claim took but had not started go back to PENDING with their attempts given back, and the process
 * exits 0 — then another worker sends the rest, each exactly once.
 */
import { createQueue } from '@org/msgqueue';
import { postgresUrl, spawnTs } from '@org/msgqueue-test-support';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgAdapter } from '../src/pg.js';
import { freshDefaultTables } from './support/harness.js';
import { startProvider, type TestProvider } from './support/provider.js';
import { type Connection, targets } from './support/targets.js';

describe('queue.work and SIGTERM (PostgreSQL)', () => {
  let setup: Connection;
  let provider: TestProvider;
  /** Each arrival, and what the provider does with it: the first is held until `release`. */
  const arrivals: { id: string; n: number }[] = [];
  let onFirst: () => void = () => {};
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const pool = new pg.Pool({ connectionString: postgresUrl(), max: 2 });
  const queue = createQueue<{ n: number }>({ adapter: pgAdapter(pool) });

  beforeAll(async () => {
    setup = await targets()
      .find((t) => t.name === 'pg:postgresql')!
      .open(1);
    await freshDefaultTables(setup, 'postgresql');
    provider = await startProvider(async (body) => {
      arrivals.push(body as { id: string; n: number });
      if (arrivals.length === 1) {
        onFirst();
        await released;
      }
    });
  });
  afterAll(async () => {
    await provider.close();
    await pool.end();
    await setup.close();
  });

  const run = (onExit: (code: number | null, out: string) => void) => {
    const child = spawnTs(new URL('./support/sigterm-worker.ts', import.meta.url), [postgresUrl(), provider.url], {
      cwd: new URL('..', import.meta.url).pathname,
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (err += c));
    child.on('exit', (code) => onExit(code, out || err));
    return child;
  };

  it('the send under way finishes and is acked, the rest of its claim goes back unspent, the process exits 0', async () => {
    const ids = (await queue.enqueueMany([1, 2, 3, 4, 5, 6, 7].map((n) => ({ payload: { n } })))).map((r) => r.id);
    const first = new Promise<void>((resolve) => {
      onFirst = resolve;
    });
    let exited: (v: { code: number | null; out: string }) => void = () => {};
    const exit = new Promise<{ code: number | null; out: string }>((resolve) => {
      exited = resolve;
    });
    const worker = run((code, out) => exited({ code, out }));
    await first; // the provider holds the first send open
    worker.kill('SIGTERM');
    // The worker is stopping: nothing new starts while the send is held.
    await new Promise((r) => setTimeout(r, 300));
    expect(arrivals).toHaveLength(1);
    release();
    const { code, out } = await exit;
    expect(code, out).toBe(0);
    const { summary } = JSON.parse(out.trim().split('\n').pop()!) as { summary: { sent: number; released: number; claimed: number } };
    expect(summary).toMatchObject({ claimed: 5, sent: 1, released: 4 });
    const rows = await Promise.all(ids.map((id) => queue.get(id)));
    expect(rows.filter((r) => r?.status === 'SENT').map((r) => r!.id)).toEqual([arrivals[0]!.id]);
    expect(rows.filter((r) => r?.status === 'PENDING')).toHaveLength(6);
    expect(rows.filter((r) => r?.status === 'PENDING').every((r) => r!.attempts === 0 && r!.claimToken === null)).toBe(true);

    // Another worker sends the rest: every message exactly once.
    let second: (v: { code: number | null; out: string }) => void = () => {};
    const done = new Promise<{ code: number | null; out: string }>((resolve) => {
      second = resolve;
    });
    const next = run((code2, out2) => second({ code: code2, out: out2 }));
    while ((await queue.diagnose({ sampleSize: 0 })).counts.SENT < ids.length) await new Promise((r) => setTimeout(r, 50));
    next.kill('SIGTERM');
    expect((await done).code).toBe(0);
    expect(arrivals.map((a) => a.id).sort()).toEqual([...ids].sort());
  }, 60_000);
});
