// Generates the Prisma clients the tests, the chaos run and the benchmark import (test/generated/,
// not committed), offline. `pnpm typecheck` runs it first, so a fresh clone type-checks.
import { generateClients } from '../test/support/generate-clients.js';

generateClients();
