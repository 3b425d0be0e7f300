// The core's conformance suite over every client the engine ships on sqlite (support/conformance.ts).
import { conformanceOn } from './support/conformance.js';

conformanceOn('sqlite');
