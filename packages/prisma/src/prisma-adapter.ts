import { checkOptions, MsgQueueError, type StorageAdapter } from '@org/msgqueue';
import { DIALECTS, SQL_ADAPTER_OPTIONS, type SqlAdapterOptions, type SqlDialect, sqlAdapter } from '@org/msgqueue-sql';
import { prismaClient } from './prisma-client.js';
import type { PrismaLike, PrismaRawClient } from './prisma-like.js';

/** Options of {@link prismaAdapter}: the SQL engine's, with `dialect` the provider of your schema.prisma datasource. */
export interface PrismaAdapterOptions extends SqlAdapterOptions {
  /** MySQL only: interactive transaction timeout. Default 5000 ms. */
  transactionTimeoutMs?: number;
}

/** A Prisma interactive-transaction client: Prisma denies it $connect and $disconnect. */
const isTransactionClient = (client: object): boolean => typeof (client as { $disconnect?: unknown }).$disconnect !== 'function';

const OPTION_KEYS = [...SQL_ADAPTER_OPTIONS, 'transactionTimeoutMs'];

/**
 * Whether the engine opens transactions of its own on the dialect: MySQL has no `UPDATE … RETURNING`,
 * so its claim, recycle, batched acks and operator chunks lock, write and read back in a transaction.
 */
const USES_TRANSACTIONS: Record<SqlDialect, boolean> = { postgresql: false, mysql: true, sqlite: false };

/**
 * A storage adapter over your PrismaClient (Prisma 7, with a driver adapter). Every operation is
 * raw SQL for your database through `@org/msgqueue-sql`, with the database's clock for all time
 * arithmetic: one statement per step on PostgreSQL and SQLite; on MySQL the claim, recycle, batched
 * acks and each operator chunk run in a short interactive transaction.
 *
 * The mapping is validated now; the tables are checked against it on first use, before any write.
 *
 * ```ts
 * const queue = createQueue({ adapter: prismaAdapter(prisma, { dialect: 'postgresql' }) });
 * ```
 */
export function prismaAdapter(prisma: PrismaLike, options: PrismaAdapterOptions): StorageAdapter {
  if (!prisma || typeof prisma.$queryRawUnsafe !== 'function' || typeof prisma.$executeRawUnsafe !== 'function') {
    throw new MsgQueueError('INVALID_ARGUMENT', 'prismaAdapter: expected your PrismaClient instance as the first argument.', {
      field: 'prisma',
    });
  }
  if (typeof options !== 'object' || options === null) {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      "prismaAdapter: expected options with at least { dialect: 'postgresql' | 'mysql' | 'sqlite' }.",
      {
        field: 'options',
      },
    );
  }
  checkOptions(options, 'options', OPTION_KEYS);
  if (typeof options.dialect !== 'string' || !DIALECTS.includes(options.dialect)) {
    throw new MsgQueueError(
      'INVALID_MAPPING',
      `options.dialect: expected one of ${DIALECTS.join(', ')} (the provider of your schema.prisma datasource), got ${JSON.stringify(options.dialect)}.`,
      { field: 'options.dialect' },
    );
  }
  const timeout = options.transactionTimeoutMs ?? 5_000;
  if (!Number.isInteger(timeout) || timeout < 100 || timeout > 60_000) {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      'options.transactionTimeoutMs: expected a whole number of milliseconds from 100 to 60000.',
      {
        field: 'options.transactionTimeoutMs',
      },
    );
  }
  if (USES_TRANSACTIONS[options.dialect] && typeof prisma.$transaction !== 'function') {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      'prismaAdapter: MySQL needs your PrismaClient (with $transaction), not a transaction client.',
      {
        field: 'prisma',
      },
    );
  }
  const { transactionTimeoutMs: _timeout, ...mapping } = options;
  return sqlAdapter(prismaClient(prisma, timeout), mapping, {
    name: 'prisma',
    fromTransaction(transaction) {
      const tx = transaction as PrismaRawClient;
      if (typeof tx?.$queryRawUnsafe !== 'function' || typeof tx.$executeRawUnsafe !== 'function') {
        throw new MsgQueueError(
          'INVALID_ARGUMENT',
          'options.transaction: expected the transaction client your $transaction callback gets (prisma.$transaction(async (tx) => …)).',
          { field: 'options.transaction' },
        );
      }
      // A transaction client has no $connect / $disconnect (Prisma denies them inside a
      // transaction); the root client, or an extended one, does, and runs each statement on its
      // own, outside the caller's transaction. (Since Prisma 7.10 a transaction client has a
      // $transaction of its own, for nested transactions: that tells nothing.)
      if (!isTransactionClient(tx)) {
        throw new MsgQueueError(
          'INVALID_ARGUMENT',
          'options.transaction: expected the transaction client your $transaction callback gets (prisma.$transaction(async (tx) => …)), not the PrismaClient itself: its statements would commit on their own.',
          { field: 'options.transaction' },
        );
      }
      return prismaClient(tx as PrismaRawClient, timeout);
    },
  });
}
