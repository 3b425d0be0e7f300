/**
 * A queue is the table it drains and its name. Queues over two tables never block each other's
 * ticks, even with the same name and one lock table; two processes draining one table still do.
 */

import { createInterface } from 'node:readline';
import { createQueue, type RunSummary } from '@org/msgqueue';
import { prismaAdapter, schemaSql, splitStatements } from '@org/msgqueue-prisma';
import { spawnTs } from '@org/msgqueue-test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyShippedSchema, type Client, clearDefaultTables, run, testDatabases } from './support/databases.js';

const OTHER = 'identity_other_messages';

for (const db of testDatabases('queue-identity')) {
  describe(`queue identity on ${db.label}`, () => {
    let main: Client;
    beforeAll(async () => {
      main = await db.client();
      await applyShippedSchema(main, db.dialect);
      const q = db.dialect === 'mysql' ? `\`${OTHER}\`` : `"${OTHER}"`;
      await main.$executeRawUnsafe(`DROP TABLE IF EXISTS ${q}`);
      await run(main, splitStatements(schemaSql(db.dialect, { table: OTHER })));
    });
    afterAll(() => main.$disconnect());

    it('two queues with the same name over two tables tick side by side, sharing one lock table', async () => {
      await clearDefaultTables(main, db.dialect);
      const a = createQueue({ adapter: prismaAdapter(main, { dialect: db.dialect }) });
      const b = createQueue({ adapter: prismaAdapter(main, { dialect: db.dialect, table: OTHER }) });
      await a.enqueue({ n: 1 });
      await b.enqueue({ n: 2 });
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      let started!: () => void;
      const sending = new Promise<void>((resolve) => {
        started = resolve;
      });
      const first = a.runOnce({
        send: () => {
          started();
          return gate;
        },
      });
      await sending;
      expect(await b.runOnce({ send: async () => {} })).toMatchObject({ skipped: null, sent: 1 });
      open();
      expect(await first).toMatchObject({ skipped: null, sent: 1 });
    });

    it('a tick in another process over the same table keeps this one out until it ends', async () => {
      await clearDefaultTables(main, db.dialect);
      const queue = createQueue({ adapter: prismaAdapter(main, { dialect: db.dialect }) });
      await queue.enqueueMany([{ payload: { n: 1 } }, { payload: { n: 2 } }]);
      const child = spawnTs(new URL('./support/tick-worker.ts', import.meta.url), [db.dialect, db.url], {
        stdin: 'pipe',
        cwd: new URL('..', import.meta.url).pathname,
      });
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString();
      });
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const next = async (): Promise<Record<string, unknown>> => {
        const line = await lines.next();
        if (line.done) throw new Error(`the tick process ended early: ${stderr.slice(-1500)}`);
        return JSON.parse(line.value) as Record<string, unknown>;
      };
      try {
        expect(await next()).toHaveProperty('sending');
        expect((await queue.runOnce({ send: async () => {} })).skipped).toBe('overlap-other-instance');
        child.stdin!.end();
        let line = await next();
        while (!('summary' in line)) line = await next();
        const { summary } = line as { summary: RunSummary };
        expect(summary).toMatchObject({ skipped: null, sent: 2 });
      } finally {
        child.kill();
      }
      expect((await queue.diagnose()).counts.SENT).toBe(2);
    });
  });
}
