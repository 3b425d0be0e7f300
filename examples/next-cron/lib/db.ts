import { prismaStatementNames } from '@org/msgqueue-prisma';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/generated/prisma/client';

// One client per server process (kept across hot reloads in development). Named statements let
// PostgreSQL prepare each of the queue's statements once per connection instead of on every call.
const adapter = new PrismaPg({ connectionString: process.env.DATABASE_URL }, { statementNameGenerator: prismaStatementNames });
const cached = globalThis as unknown as { prisma?: PrismaClient };
export const prisma = cached.prisma ?? new PrismaClient({ adapter });
if (process.env.NODE_ENV !== 'production') cached.prisma = prisma;
