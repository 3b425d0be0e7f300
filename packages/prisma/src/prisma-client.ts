import type { Row, SqlClient } from '@org/msgqueue-sql';
import type { PrismaLike, PrismaRawClient } from './prisma-like.js';

/**
 * A PrismaClient (or an interactive-transaction client) as the engine's {@link SqlClient}: raw
 * statements through `$queryRawUnsafe` / `$executeRawUnsafe`, transactions through `$transaction`.
 * Prisma's interactive transactions time out (`timeoutMs`, Prisma's default 5 s, P2028) and keep
 * running after a rollback; the engine only uses them for MySQL's few-millisecond claim and recycle.
 */
export function prismaClient(prisma: PrismaRawClient & Partial<Pick<PrismaLike, '$transaction'>>, timeoutMs = 5_000): SqlClient {
  return {
    query: ({ text, values }) => prisma.$queryRawUnsafe<Row[]>(text, ...values),
    execute: ({ text, values }) => prisma.$executeRawUnsafe(text, ...values),
    transaction(fn) {
      if (typeof prisma.$transaction !== 'function') {
        // Already inside the caller's interactive transaction: its statements are the transaction.
        return fn(this);
      }
      return prisma.$transaction((tx) => fn(prismaClient(tx, timeoutMs)), { timeout: timeoutMs, maxWait: timeoutMs });
    },
  };
}
