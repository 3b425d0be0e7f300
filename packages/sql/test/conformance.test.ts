// The core's conformance suite, unchanged, over every client × database the engine ships.
import { runConformance } from '@org/msgqueue-conformance';
import { harness } from './support/harness.js';
import { targets } from './support/targets.js';

for (const target of targets()) {
  runConformance(harness(target), { claimers: 8, messages: 400 });
}
