import { readFileSync } from 'node:fs';
import { MsgQueueError } from '@org/msgqueue';
import { gateTableSql, lockTableSql, schemaSql, splitStatements } from '@org/msgqueue-sql';
import { describe, expect, it } from 'vitest';

describe('shipped SQL', () => {
  it.each(['postgresql', 'mysql', 'sqlite'] as const)(
    'sql/%s.sql is what schemaSql() generates (run `pnpm --filter @org/msgqueue-sql sql`)',
    (dialect) => {
      const shipped = readFileSync(new URL(`../sql/${dialect}.sql`, import.meta.url), 'utf8');
      expect(shipped).toBe(schemaSql(dialect));
      expect(splitStatements(shipped).length).toBeGreaterThanOrEqual(2);
    },
  );

  it.each(['postgresql', 'mysql', 'sqlite'] as const)(
    'sql/%s.locks.sql is what lockTableSql() generates, and only the lock table',
    (dialect) => {
      const shipped = readFileSync(new URL(`../sql/${dialect}.locks.sql`, import.meta.url), 'utf8');
      expect(shipped).toBe(lockTableSql(dialect));
      expect(splitStatements(shipped)).toHaveLength(1);
      expect(schemaSql(dialect)).toContain(splitStatements(shipped)[0]);
    },
  );

  it.each(['postgresql', 'mysql', 'sqlite'] as const)(
    'sql/%s.gates.sql is what gateTableSql() generates, and only the gates table',
    (dialect) => {
      const shipped = readFileSync(new URL(`../sql/${dialect}.gates.sql`, import.meta.url), 'utf8');
      expect(shipped).toBe(gateTableSql(dialect));
      expect(splitStatements(shipped)).toHaveLength(1);
      expect(schemaSql(dialect)).toContain(splitStatements(shipped)[0]);
    },
  );

  it('custom table names are validated identifiers', () => {
    expect(schemaSql('postgresql', { table: 'outbox' })).toContain('CREATE TABLE IF NOT EXISTS "outbox"');
    expect(() => schemaSql('postgresql', { table: 'outbox; DROP TABLE x' })).toThrow(MsgQueueError);
    expect(gateTableSql('mysql', { gateTable: 'outbox_gates' })).toContain('CREATE TABLE IF NOT EXISTS `outbox_gates`');
    expect(() => gateTableSql('sqlite', { gateTable: 'g"; DROP TABLE x' })).toThrow(MsgQueueError);
  });

  it('the PostgreSQL claim index is partial on pending rows, queue first', () => {
    expect(schemaSql('postgresql')).toMatch(
      /ON "msgqueue_messages" \("queue", "priority", "available_at", "id"\) WHERE "status" = 'PENDING'/,
    );
  });
});

describe('docs/adapters.md', () => {
  it('shows the mysql2 adapter exactly as the tested example file has it', () => {
    const doc = readFileSync(new URL('../../../docs/adapters.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('./examples/mysql2-adapter.ts', import.meta.url), 'utf8');
    expect(doc).toContain(`\`\`\`ts\n${example.trim()}\n\`\`\``);
  });
});
