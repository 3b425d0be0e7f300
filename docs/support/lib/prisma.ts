/**
 * `@/lib/prisma` in the guides: a Prisma 7 client over the Next.js example's schema (conversations,
 * messages and msgqueue's table), as an app's `lib/prisma.ts` would export it.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../../../examples/next-cron/generated/prisma/client';

export const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL }) });
