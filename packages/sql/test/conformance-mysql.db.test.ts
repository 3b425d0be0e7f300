// The core's conformance suite over every client the engine ships on mysql (support/conformance.ts).
import { conformanceOn } from './support/conformance.js';

conformanceOn('mysql');
