// The core's conformance suite over every client the engine ships on postgresql (support/conformance.ts).
import { conformanceOn } from './support/conformance.js';

conformanceOn('postgresql');
