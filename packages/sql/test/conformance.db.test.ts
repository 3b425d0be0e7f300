// The core's conformance suite over every client × database the engine ships: in full once per
// database (node-postgres on PostgreSQL, Kysely on MariaDB and SQLite: the engine's rules), and the
// client's part for every other client (its statements, values, transactions and errors).
import { runConformance } from '@org/msgqueue-conformance';
import { harness } from './support/harness.js';
import { targets } from './support/targets.js';

const FULL = ['pg:postgresql', 'kysely:mysql', 'kysely:sqlite'];

for (const target of targets()) {
  runConformance(harness(target), { claimers: 8, messages: 400, scope: FULL.includes(target.name) ? 'full' : 'client' });
}
