/**
 * The README's first command: the demo runs to its verdict on SQLite (at-least-once) and on
 * PostgreSQL (at-most-once) — and fails, naming the messages, when a worker sends twice for no reason.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { postgresUrl } from '@org/msgqueue-test-support';
import { beforeAll, describe, expect, it } from 'vitest';

const app = fileURLToPath(new URL('..', import.meta.url));
const exec = promisify(execFile);

/** Run the demo; resolves with its exit code and output (it never rejects on a non-zero exit). */
async function demo(args: string[], env: Record<string, string | undefined> = {}) {
  const { DATABASE_URL: _, ...rest } = process.env;
  try {
    const { stdout } = await exec(process.execPath, ['--conditions=source', '--import', 'tsx', 'src/demo.ts', ...args], {
      cwd: app,
      env: { ...rest, ...env },
      maxBuffer: 8 * 1024 * 1024,
    });
    return { code: 0, out: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: `${e.stdout}\n${e.stderr}` };
  }
}

const line = (out: string, label: string) => Number(new RegExp(`^\\s+${label}\\s+(\\d+)`, 'm').exec(out)?.[1]);

describe('the node-cron demo', () => {
  beforeAll(async () => {
    await exec(process.execPath, ['scripts/generate.mjs'], { cwd: app });
  });

  it('drains through a killed worker and a faulty provider on SQLite: nothing lost, no repeat without cause', async () => {
    const { code, out } = await demo(['--messages', '120', '--workers', '3', '--seed', '7']);
    expect(out).toContain('SQLite');
    drainedThroughFaults(code, out);
    expect(line(out, 'delivered once') + line(out, 'sent again under the same key')).toBeGreaterThanOrEqual(118);
  }, 90_000);

  it('--worker: the same drain with long-running queue.work loops, through the same killed worker and faults', async () => {
    const { code, out } = await demo(['--messages', '120', '--workers', '3', '--seed', '7', '--worker']);
    expect(out).toContain('queue.work');
    drainedThroughFaults(code, out);
  }, 90_000);

  it('fails, naming the messages, when a worker sends some twice for no reason', async () => {
    const { code, out } = await demo(['--messages', '90', '--workers', '2'], { MSGQUEUE_DEMO_SABOTAGE: 'duplicate' });
    expect(code).toBe(1);
    expect(line(out, 'sent twice without cause')).toBeGreaterThan(0);
    expect(out).toMatch(/sent twice without cause\s+\d+\s+#\d*7\b/); // messages 7, 47, 87: the sabotaged ones
  }, 90_000);

  describe('on PostgreSQL (DATABASE_URL)', () => {
    it('runs the same demo in at-most-once: holds instead of resending, each held message with its reason', async () => {
      const { code, out } = await demo(['--messages', '120', '--workers', '3', '--mode', 'at-most-once'], { DATABASE_URL: postgresUrl() });
      expect(out).toContain('PostgreSQL');
      expect(code, out).toBe(0);
      expect(line(out, 'lost')).toBe(0);
      expect(line(out, 'sent again under the same key')).toBe(0);
      expect(line(out, 'held for review \\(at-most-once\\)')).toBeGreaterThan(0);
      expect(out).toMatch(/#\d+: its worker was killed (mid-send|before the ack); the provider has it: mark it sent/);
      expect(out).toContain('HELD_FOR_REVIEW');
    }, 90_000);
  });
});

/** What every drain of the demo must show: a worker killed mid-send, nothing lost or repeated without cause, the two permanent failures. */
function drainedThroughFaults(code: number | null, out: string): void {
  expect(code, out).toBe(0);
  expect(out).toMatch(/worker \d+ killed mid-send/);
  for (const label of ['lost', 'sent twice without cause', 'conversations out of order', 'still in flight'])
    expect(line(out, label), label).toBe(0);
  expect(line(out, 'failed for good')).toBe(2);
}
