/**
 * Writing through the caller's transaction only when it is one: on the adapter's database, open,
 * not ended. What a client's `fromTransaction` cannot see from the object it is given, the engine
 * asks the database through that very handle (operations/transaction.ts), before anything is written.
 */
import { MsgQueueError } from '@org/msgqueue';
import type { Db } from './operations/db.js';
import { databaseIdentity, inTransaction } from './operations/transaction.js';
import type { Table } from './table.js';

/** The checks of one adapter over `db`, its own connection. */
export interface CallerTransactions {
  /** Learn the adapter's own database (once; again only after a failure). */
  identify(t: Table): Promise<void>;
  /** Refuse, before anything is written, a handle that is not in an open transaction on the adapter's database. */
  check(through: Db, t: Table): Promise<void>;
  /** Run `fn` through the caller's handle; the client's "transaction already ended" becomes the typed refusal. */
  whileOpen<T>(fn: () => Promise<T>): Promise<T>;
}

export function callerTransactions(db: Db): CallerTransactions {
  // The identity of the adapter's own database (server, database, table). Read with the schema when
  // the adapter's own connection reads it; otherwise in the background after a first insert through a
  // caller's transaction — never awaited then, as that transaction may hold the pool's only connection.
  let own: string | undefined;
  let identifying: Promise<void> | undefined;
  const identify = (t: Table): Promise<void> => {
    identifying ??= databaseIdentity(db, t).then(
      (identity) => {
        own = identity;
      },
      () => {
        identifying = undefined;
      },
    );
    return identifying;
  };
  return {
    identify,
    whileOpen,
    async check(through, t) {
      if ((await whileOpen(() => inTransaction(through, t))) === false) {
        throw refusal(
          "not inside an open transaction (a pool, a root client, a connection in autocommit, or a transaction that already ended): the message would not roll back with your writes, so nothing was written. Pass the transaction your client's transaction callback gets.",
        );
      }
      if (own === undefined) {
        void identify(t);
        return;
      }
      const theirs = await whileOpen(() => databaseIdentity(through, t));
      if (theirs !== own) {
        throw refusal(
          `a transaction on another database (${theirs}) than the queue's (${own}): the message would be written there, so nothing was written.`,
        );
      }
    },
  };
}

const refusal = (message: string, cause?: unknown) =>
  new MsgQueueError('INVALID_ARGUMENT', `options.transaction: ${message}`, { field: 'options.transaction', cause });

async function whileOpen<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    // The schema read wraps its error as STORAGE_ERROR; the client's own is its cause.
    const cause = MsgQueueError.isInstance(error, 'STORAGE_ERROR') ? error.cause : error;
    const text = cause instanceof Error ? cause.message : String(cause);
    if (!MsgQueueError.isInstance(cause) && ENDED.test(text)) {
      throw refusal(
        `that transaction has already ended (${text.trim().split('\n')[0]}); nothing was written. Enqueue inside the transaction's callback, before it returns.`,
        cause,
      );
    }
    throw error;
  }
}

/** The words clients use for a transaction that committed or rolled back (Prisma, Kysely). */
const ENDED =
  /transaction (is )?already (closed|committed|rolled back)|transaction not found|cannot be executed on a (committed|closed|rolled back) transaction/i;
