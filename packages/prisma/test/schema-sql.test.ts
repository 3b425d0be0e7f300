import { readFileSync } from 'node:fs';
import { MsgQueueError } from '@org/msgqueue';
import { schemaSql, splitStatements } from '@org/msgqueue-prisma';
import { describe, expect, it } from 'vitest';

describe('shipped SQL', () => {
  it.each(['postgresql', 'mysql', 'sqlite'] as const)(
    'sql/%s.sql is what schemaSql() generates (run `pnpm --filter @org/msgqueue-prisma sql`)',
    (provider) => {
      const shipped = readFileSync(new URL(`../sql/${provider}.sql`, import.meta.url), 'utf8');
      expect(shipped).toBe(schemaSql(provider));
      expect(splitStatements(shipped).length).toBeGreaterThanOrEqual(2);
    },
  );

  it('custom table names are validated identifiers', () => {
    expect(schemaSql('postgresql', { table: 'outbox' })).toContain('CREATE TABLE IF NOT EXISTS "outbox"');
    expect(() => schemaSql('postgresql', { table: 'outbox; DROP TABLE x' })).toThrow(MsgQueueError);
  });

  it('the PostgreSQL claim index is partial on due pending rows', () => {
    expect(schemaSql('postgresql')).toMatch(/ON "msgqueue_messages" \("priority", "available_at", "id"\) WHERE "status" = 'PENDING'/);
  });
});
