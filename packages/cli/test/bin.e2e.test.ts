/**
 * The built `msgqueue` binary an installed app runs, in its own process: its exit codes and one-line
 * errors, what it never prints (a password, in any form of URL), its version and help. What the
 * commands do is cli.db.test.ts's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './support.js';

describe('msgqueue CLI without a database', () => {
  it('an unreachable database: one line naming it, exit 2', async () => {
    const r = await cli(['--database-url', 'postgres://root@127.0.0.1:1/nowhere', 'diagnose']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/postgres:\/\/root@127\.0\.0\.1:1\/nowhere/);
  });

  it('never prints any part of a password, whatever the form of the URL', async () => {
    for (const url of [
      'postgresql://root:p4ss@w0rd-XYZ@127.0.0.1:1/nowhere',
      'postgresql://root@127.0.0.1:1/nowhere?password=p4ssw0rd-XYZ',
      'postgres://root:p4ss%40w0rd-XYZ@127.0.0.1:1/nowhere?sslmode=disable',
      'mysql://root:p4ss:w0rd-XYZ@127.0.0.1:1/nowhere',
      'mariadb://root@127.0.0.1:1/nowhere?password=p4ssw0rd-XYZ',
    ]) {
      const r = await cli(['--database-url', url, 'diagnose']);
      expect(r.code, url).toBe(2);
      expect(r.stderr.trim().split('\n'), url).toHaveLength(1);
      expect(r.stderr, url).toMatch(/127\.0\.0\.1:1/); // it still says where it tried
      expect(`${r.stdout}${r.stderr}`, url).not.toMatch(/p4ss|w0rd|XYZ/);
    }
    // From DATABASE_URL, and through the flag parser's own errors.
    const url = 'postgresql://root:p4ss@w0rd-XYZ@127.0.0.1:1/nowhere';
    for (const r of [
      await cli(['diagnose'], { env: { DATABASE_URL: url } }),
      await cli(['--database-url', url, 'diagnose', '--frobnicate']),
    ]) {
      expect(r.code).toBe(2);
      expect(`${r.stdout}${r.stderr}`).not.toMatch(/p4ss|w0rd|XYZ/);
    }
  });

  it('--version prints the version', async () => {
    const r = await cli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('no config and no URL: says how to point it at the queues', async () => {
    const r = await cli(['diagnose'], { cwd: mkdtempSync(join(tmpdir(), 'msgqueue-cli-empty-')) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/msgqueue\.config\.ts.*--database-url/);
  });
});
