/**
 * The part of a PrismaClient the adapter uses, typed structurally so generated, extended and
 * driver-adapter clients all fit, and so this package never imports `@prisma/client` at run time
 * (Prisma 7 generates the client into your own folder).
 */
export interface PrismaRawClient {
  /** The rows of a raw statement, values bound as parameters. */
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  /** Run a raw statement; answers the rows it affected. */
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

/** A PrismaClient: raw queries plus interactive transactions (used on MySQL: claim, recycle, batched acks, operator chunks). */
export interface PrismaLike extends PrismaRawClient {
  /** An interactive transaction: `fn` runs on one connection, rolled back when it throws. */
  $transaction<R>(
    fn: (tx: PrismaRawClient) => Promise<R>,
    options?: { maxWait?: number; timeout?: number; isolationLevel?: string },
  ): Promise<R>;
}
