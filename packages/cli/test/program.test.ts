/** The commands that need no database, through the binary's own `main`, in this process. */
import { describe, expect, it } from 'vitest';
import { runCli as run } from './support.js';

describe('msgqueue without a database', () => {
  it('sql prints the schema for a dialect and a table; an unknown dialect is a usage error', async () => {
    const r = await run(['sql', 'postgresql', '--table', 'outbox']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('CREATE TABLE IF NOT EXISTS "outbox"');
    const oracle = await run(['sql', 'oracle']);
    expect(oracle.code).toBe(2);
    expect(oracle.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help for every command', async () => {
    for (const command of ['diagnose', 'release-stuck', 'retry', 'mark-sent', 'purge', 'sql']) {
      const help = await run([command, '--help']);
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`Usage: msgqueue ${command}`));
    }
  });
});
