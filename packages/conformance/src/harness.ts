import type { StorageAdapter } from '@org/msgqueue';

/**
 * What an adapter author gives the conformance suite: a way to get fresh, empty storage for each
 * test, and to move that storage's clock.
 */
export interface ConformanceHarness {
  /** Shown in test names (`memory`, `prisma:postgresql`). */
  name: string;
  /** Called once before the suite (start servers, create tables). */
  beforeAll?(): Promise<void>;
  /** Called once after the suite. */
  afterAll?(): Promise<void>;
  /** Fresh, empty storage for one test. */
  setup(): Promise<ConformanceContext>;
}

/** One test's storage. */
export interface ConformanceContext {
  adapter: StorageAdapter;
  /**
   * Move the storage's time forward by `ms`. A memory adapter advances its clock; a database
   * adapter may instead move every stored timestamp back by `ms`, which is the same to the queue.
   */
  advance(ms: number): Promise<void>;
  /**
   * Another adapter over the same storage through its own connection, for concurrency tests.
   * Without it, concurrent claimers share `adapter`.
   */
  connect?(): Promise<StorageAdapter>;
  /**
   * Optional: run `fn` inside a transaction of the adapter's client, handing it what a user passes
   * as `transaction` to `enqueue` (a Prisma transaction client, a pg client after BEGIN, …); commit
   * when it resolves, roll back when it throws. The transactional-enqueue tests are skipped without it.
   */
  transaction?<T>(fn: (transaction: unknown) => Promise<T>): Promise<T>;
  /**
   * Optional: the client the adapter was made over — a pool, a root PrismaClient, a Drizzle or
   * Kysely database — which a user may pass as `transaction` by mistake. The suite checks it is
   * refused with nothing written (its statements would commit on their own).
   */
  client?: unknown;
  /**
   * Optional: leave the message in flight as other code would — the hand-rolled queue the adapter
   * replaces: set its status (PROCESSING or SENDING) and `updatedAt` to now, with no lease and no
   * claim token, writing to the storage directly. The orphan tests are skipped without it.
   */
  strand?(id: string, status: 'PROCESSING' | 'SENDING'): Promise<void>;
  /**
   * Optional: every stored row, in a stable order and a comparable form. When given, the bad-input
   * suite checks the whole table is unchanged, not just its counts.
   */
  snapshot?(): Promise<unknown>;
  /** Release what `setup` took (connections, files). */
  teardown(): Promise<void>;
}

/** Options of {@link runConformance}. */
export interface ConformanceOptions {
  /** Concurrent claimers in the exclusivity test. Default 8. */
  claimers?: number;
  /** Messages in the exclusivity test. Default 400. */
  messages?: number;
  /**
   * `full` (default): every test. `client`: the tests that exercise what a database client does for
   * an adapter — each operation's statements and the values coming back, transactions, errors,
   * concurrency through its connections — for a client over an engine whose rules a `full` run
   * already proves on the same database (as `@org/msgqueue-sql`'s clients are), leaving out the
   * variations of those rules (more group, fencing and recycle cases, every bad input, tick timing).
   */
  scope?: 'full' | 'client';
  /**
   * Random schedules per delivery mode in the model-based tests (a fifth of them in `client` scope).
   * Default 50; the environment variable `MSGQUEUE_MODEL_RUNS` overrides it, `MSGQUEUE_MODEL_SCALE`
   * multiplies it (`pnpm test:deep` runs ten times as many).
   */
  modelRuns?: number;
}
