// The engine in full on PostgreSQL with every transaction SERIALIZABLE — as CockroachDB runs them
// all — where concurrent claims abort with serialization failures (40001) that the engine retries.
// (Every client on every database: conformance-<database>.db.test.ts.)
import { runConformance } from '@org/msgqueue-conformance';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { postgresUrl } from '@org/msgqueue-test-support';
import pg from 'pg';
import { harness } from './support/harness.js';
import { type Target, targets } from './support/targets.js';

const pgTarget = targets().find((t) => t.name === 'pg:postgresql')!;
const serializable: Target = {
  name: 'pg:postgresql, SERIALIZABLE',
  dialect: 'postgresql',
  async open(size = 4) {
    // The queue's connections run every statement and transaction SERIALIZABLE; test setup keeps its own.
    const setup = await pgTarget.open(1);
    const pool = new pg.Pool({ connectionString: postgresUrl(), max: size, options: '-c default_transaction_isolation=serializable' });
    return {
      ...setup,
      adapter: (options) => pgAdapter(pool, options),
      client: pool,
      close: async () => {
        await pool.end();
        await setup.close();
      },
    };
  },
};
runConformance(harness(serializable), { claimers: 8, messages: 400 });
