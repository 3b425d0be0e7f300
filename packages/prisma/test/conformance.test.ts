// The core's conformance suite, unchanged, over every database this run reaches.
import { runConformance } from '@org/msgqueue-conformance';
import { harness, testDatabases } from './support/databases.js';

for (const db of testDatabases('conformance')) {
  runConformance(harness(db), { claimers: 8, messages: 400 });
}
