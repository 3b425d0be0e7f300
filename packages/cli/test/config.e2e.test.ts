/**
 * The CLI finds an app's queues in its `msgqueue.config.ts` (loaded with jiti): from the sources,
 * and as the built `msgqueue` binary an installed app runs.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DiagnoseReport } from '@org/msgqueue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, openDatabase, type TestDatabase } from './support.js';

const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url));
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('msgqueue.config.ts', () => {
  let t: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    t = (await openDatabase('postgresql'))!;
    await t.reset();
    await t.queue().enqueue({ n: 1 }); // in the default queue: neither configured queue sees it
    env = { FIXTURE_DATABASE_URL: t.url };
  });
  afterAll(() => t?.close());

  it('diagnoses every queue it exports, or the one --queue names', async () => {
    const all = await cli(['diagnose', '--json'], { cwd: fixtures, env });
    expect(all.code, all.stderr).toBe(0);
    const body = JSON.parse(all.stdout) as { healthy: boolean; reports: DiagnoseReport[] };
    expect(body.reports.map((r) => [r.queue, r.deliveryMode, r.total])).toEqual([
      ['outgoing', 'at-least-once', 0],
      ['incoming', 'at-most-once', 0],
    ]);
    const one = await cli(['--queue', 'incoming', 'diagnose', '--json'], { cwd: fixtures, env });
    expect((JSON.parse(one.stdout) as { reports: DiagnoseReport[] }).reports.map((r) => r.queue)).toEqual(['incoming']);
  });

  it('an action needs one queue: --queue, else exit 2 naming them', async () => {
    const r = await cli(['retry'], { cwd: fixtures, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/several queues \(outgoing, incoming\): pick one with --queue/);
    expect((await cli(['--queue', 'nope', 'diagnose'], { cwd: fixtures, env })).stderr).toMatch(/no queue named "nope"/);
    expect((await cli(['--queue', 'outgoing', 'retry'], { cwd: fixtures, env })).code).toBe(0);
  });

  it('a broken config: one line, exit 2', async () => {
    const r = await cli(['--config', 'no-such.config.ts', 'diagnose'], { cwd: fixtures, env });
    expect(r).toMatchObject({ code: 2 });
    expect(r.stderr).toMatch(/--config: no file/);
  });

  it('the built binary loads a TypeScript config as an installed app would', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [bin, '--queue', 'outgoing', 'diagnose', '--json'], {
      cwd: fixtures,
      env: { ...process.env, ...env },
    });
    expect((JSON.parse(stdout) as { reports: DiagnoseReport[] }).reports.map((r) => r.queue)).toEqual(['outgoing']);
  }, 120_000);
});
