// The core's conformance suite over every client × database the engine ships: in full once per
// database (node-postgres on PostgreSQL, Kysely on MariaDB and SQLite: the engine's rules), and the
// client's part for every other client (its statements, values, transactions and errors). Then the
// engine once more in full on PostgreSQL with every transaction SERIALIZABLE — as CockroachDB runs
// them all — where concurrent claims abort with serialization failures (40001) that the engine retries.
import { runConformance } from '@org/msgqueue-conformance';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { postgresUrl } from '@org/msgqueue-test-support';
import pg from 'pg';
import { harness } from './support/harness.js';
import { type Target, targets } from './support/targets.js';

const FULL = ['pg:postgresql', 'kysely:mysql', 'kysely:sqlite'];

for (const target of targets()) {
  runConformance(harness(target), { claimers: 8, messages: 400, scope: FULL.includes(target.name) ? 'full' : 'client' });
}

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
