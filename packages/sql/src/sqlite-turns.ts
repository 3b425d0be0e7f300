/**
 * One better-sqlite3 connection, shared by async code: whose turn it is to use it.
 *
 * better-sqlite3 runs one statement at a time on one connection, and its transactions are synchronous:
 * an `await` inside `db.transaction(…)` resumes after the transaction has ended. An async
 * transaction is therefore `BEGIN IMMEDIATE` … `COMMIT` around the callback — and while it is open,
 * any other statement on the connection would land inside it (and roll back with it). The queue's
 * own statements (a claim, an ack) wait for their turn until the transaction ends; transactions wait
 * for each other.
 */

import { AsyncLocalStorage } from 'node:async_hooks';

/** The connection's turns: a promise that settles when the current transaction ends. */
const turns = new WeakMap<object, Promise<void>>();
/** The connection whose transaction the running code is inside (its callback, and what it awaits). */
const holder = new AsyncLocalStorage<object>();

/**
 * Wait until no {@link withTurn} transaction holds `connection` — unless the caller runs inside that
 * transaction's own callback: its statements are the transaction's (waiting would wait for itself).
 */
export async function waitTurn(connection: object): Promise<void> {
  if (holds(connection)) return;
  for (let current = turns.get(connection); current !== undefined; current = turns.get(connection)) await current;
}

/** Whether the running code is inside a {@link withTurn} transaction on `connection`. */
export const holds = (connection: object): boolean => holder.getStore() === connection;

/** Run `fn` holding `connection`: later {@link waitTurn} and `withTurn` callers wait until it ends. */
export async function withTurn<T>(connection: object, fn: () => Promise<T>): Promise<T> {
  // The check and the claim of the turn run with no await between them.
  for (let current = turns.get(connection); current !== undefined; current = turns.get(connection)) await current;
  let end!: () => void;
  const turn = new Promise<void>((resolve) => {
    end = resolve;
  });
  turns.set(connection, turn);
  try {
    return await holder.run(connection, fn);
  } finally {
    turns.delete(connection);
    end();
  }
}
