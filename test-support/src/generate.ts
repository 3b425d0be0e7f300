// `pnpm generate`: the Prisma clients the tests, the chaos run and the benchmark open (generated/,
// not committed), offline. `pnpm typecheck` runs it first, so a fresh clone type-checks.
import { generateClients } from './prisma-clients.js';

generateClients();
