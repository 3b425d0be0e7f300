import { MsgQueueError, type StorageAdapter } from '@org/msgqueue';
import { DIALECTS, SQL_ADAPTER_OPTIONS, type SqlAdapterOptions, sqlAdapter } from '@org/msgqueue-sql';
import { prismaClient } from './prisma-client.js';
import type { PrismaLike, PrismaRawClient } from './prisma-like.js';

/** Options of {@link prismaAdapter}. */
export interface PrismaAdapterOptions extends Omit<SqlAdapterOptions, 'dialect'> {
  /** Your datasource's provider: `postgresql`, `mysql` (MySQL 8, MariaDB 10.6+) or `sqlite`. */
  provider: SqlAdapterOptions['dialect'];
  /** MySQL only: interactive transaction timeout. Default 5000 ms. */
  transactionTimeoutMs?: number;
}

/** A Prisma interactive-transaction client: Prisma denies it $connect and $disconnect. */
const isTransactionClient = (client: object): boolean => typeof (client as { $disconnect?: unknown }).$disconnect !== 'function';

const OPTION_KEYS = ['provider', ...SQL_ADAPTER_OPTIONS.filter((k) => k !== 'dialect'), 'transactionTimeoutMs'];

/**
 * A storage adapter over your PrismaClient (Prisma 7, with a driver adapter). Every operation is
 * raw SQL for your provider through `@org/msgqueue-sql`: one statement on PostgreSQL and SQLite, a
 * short transaction for the MySQL claim and recycle; all time arithmetic uses the database's clock.
 *
 * The mapping is validated now; the tables are checked against it on first use, before any write.
 *
 * ```ts
 * const queue = createQueue({ adapter: prismaAdapter(prisma, { provider: 'postgresql' }) });
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
      "prismaAdapter: expected options with at least { provider: 'postgresql' | 'mysql' | 'sqlite' }.",
      {
        field: 'options',
      },
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new MsgQueueError('UNKNOWN_OPTION', `options.${key}: unknown option. Known options: ${OPTION_KEYS.join(', ')}.`, {
        field: `options.${key}`,
      });
    }
  }
  if (typeof options.provider !== 'string' || !DIALECTS.includes(options.provider)) {
    throw new MsgQueueError(
      'INVALID_MAPPING',
      `options.provider: expected one of ${DIALECTS.join(', ')} (your schema.prisma datasource provider), got ${JSON.stringify(options.provider)}.`,
      { field: 'options.provider' },
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
  if (options.provider === 'mysql' && typeof prisma.$transaction !== 'function') {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      'prismaAdapter: MySQL needs your PrismaClient (with $transaction), not a transaction client.',
      {
        field: 'prisma',
      },
    );
  }
  const { provider, transactionTimeoutMs: _timeout, ...mapping } = options;
  return sqlAdapter(
    prismaClient(prisma, timeout),
    { dialect: provider, ...mapping },
    {
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
    },
  );
}
