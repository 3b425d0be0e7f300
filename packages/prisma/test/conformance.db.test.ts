// The core's conformance suite through Prisma on every database this run reaches: the client's part
// (statements through $queryRawUnsafe, values coming back, interactive transactions, Prisma's
// errors); the engine's rules below it are proven in full by @org/msgqueue-sql's own run.
import { runConformance } from '@org/msgqueue-conformance';
import { harness, testDatabases } from './support/databases.js';

for (const db of testDatabases('conformance')) {
  runConformance(harness(db), { claimers: 8, messages: 400, scope: 'client' });
}
