import {
  type AckAndClaimRequest,
  type AckAndGuardRequest,
  type ClaimedRecord,
  type ClaimRequest,
  checkOptions,
  type ExtendRequest,
  type FindRequest,
  type GateChange,
  type GuardManyRequest,
  type GuardRequest,
  type InsertContext,
  type InsertOutcome,
  type InsertRecord,
  type Listening,
  MsgQueueError,
  type OperateRequest,
  type RecycleRequest,
  type RetryRequest,
  type RunLockRequest,
  type SettleRequest,
  type SlotRequest,
  type SnapshotRequest,
  type StorageAdapter,
  type StorageSnapshot,
} from '@org/msgqueue';
import { callerTransactions } from './caller-transaction.js';
import type { SqlClient, SqlDialect } from './client.js';
import type { Dialect } from './dialects/dialect.js';
import { mysql } from './dialects/mysql.js';
import { postgres } from './dialects/postgres.js';
import { sqlite } from './dialects/sqlite.js';
import type { ColumnWidths } from './introspect/column-rules.js';
import { readSchema } from './introspect/schema.js';
import { type ColumnMapping, type Mapping, resolveMapping } from './mapping.js';
import { ackAndGuard, ackMany, guardMany } from './operations/batched.js';
import { ackAndClaimSeen, claimSeen } from './operations/claim.js';
import { type Db, dbOf } from './operations/db.js';
import { extend, guard, retry, settle } from './operations/fenced.js';
import { listGates, setGate } from './operations/gates.js';
import { GroupSight } from './operations/group-sight.js';
import { insert } from './operations/insert.js';
import { find, operate } from './operations/operator.js';
import { queueNames } from './operations/queue-names.js';
import { returnSlots, slotsInUse, takeSlots } from './operations/rate-slots.js';
import { recycle } from './operations/recycle.js';
import { acquireRunLock, releaseRunLock } from './operations/run-lock.js';
import { snapshot } from './operations/snapshot.js';
import { toClaimed, toRecord } from './rows.js';
import { Table } from './table.js';
import { sql } from './template.js';

/** Options of {@link sqlAdapter}: which SQL, and the table it maps onto. */
export interface SqlAdapterOptions {
  /** The database: `postgresql`, `mysql` (MySQL 8, MariaDB 10.6+) or `sqlite`. */
  dialect: SqlDialect;
  /** The messages table. Default `msgqueue_messages`. */
  table?: string;
  /** Column names of an existing table; fields left out keep the default names. */
  columns?: ColumnMapping;
  /** Stored values of each status, when your table uses others (e.g. `{ SENT: 'DONE' }`). */
  statuses?: Partial<Record<'PENDING' | 'PROCESSING' | 'SENDING' | 'SENT' | 'FAILED' | 'HELD' | 'CANCELLED', string>>;
  /** The run-lock table for `runOnce`'s cross-instance overlap guard; `false` to go without. Default `msgqueue_locks`. */
  lockTable?: string | false;
  /**
   * The gates table (pause, resume, hold: see `gateTableSql`); `false` to go without. Default
   * `msgqueue_gates`. Claims honour it once it exists; until then `pause` says how to create it.
   * Gates are keyed by queue name: give each messages table its own gates table when two tables
   * hold queues of the same name.
   */
  gateTable?: string | false;
  /**
   * PostgreSQL: every enqueue notifies (`pg_notify`, at its commit) so that idle workers over a
   * client that can listen (`pgAdapter`) wake at once. Off by default: PostgreSQL serialises the
   * commits of notifying transactions, a cost a queue drained by cron ticks need not pay.
   */
  notify?: boolean;
}

/**
 * What a client adapter tells {@link sqlAdapter} about its client.
 *
 * @category Writing a client
 */
export interface SqlClientInfo {
  /** Names the adapter in logs and errors (`pg` gives `pg:postgresql`). Default `sql`. */
  name?: string;
  /**
   * Turn the caller's open transaction (in the client's own form) into a {@link SqlClient} whose
   * statements run inside it, or throw INVALID_ARGUMENT saying what to pass instead (a pool, a root
   * client, a database object: anything whose statements could run outside the transaction). Without
   * it, the adapter cannot enqueue inside a caller's transaction.
   *
   * The engine then checks, on the handle itself and before writing, that a transaction is open
   * (PostgreSQL, MySQL/MariaDB) and on the adapter's own database. On SQLite no statement can tell:
   * a SQLite client checks here that the transaction is open.
   */
  fromTransaction?(transaction: unknown): SqlClient;
  /**
   * Listen on a PostgreSQL notification channel on a connection of its own; `onNotify` gets each
   * notification's payload. What `queue.work` wakes on (with the `notify` option). Without it, workers poll.
   */
  listen?(channel: string, onNotify: (payload: string) => void): Promise<Listening>;
}

/**
 * The option keys {@link sqlAdapter} knows (client adapters add their own).
 *
 * @category Writing a client
 */
export const SQL_ADAPTER_OPTIONS = ['dialect', 'table', 'columns', 'statuses', 'lockTable', 'gateTable', 'notify'] as const;

/** The SQL fragments of each dialect. */
const FRAGMENTS: Record<SqlDialect, Dialect> = { postgresql: postgres, mysql, sqlite };

/**
 * A storage adapter over any SQL client: the whole engine — each operation's SQL per dialect,
 * times on the database's clock, the mapping onto an existing table — over the three
 * calls of {@link SqlClient}. The mapping is validated now; the tables are read and checked on
 * first use, before any write.
 *
 * `info` names the adapter in logs (`pg:postgresql`, `prisma:mysql`) and, with `fromTransaction`,
 * lets `enqueue` write through the caller's own transaction.
 *
 * ```ts
 * const adapter = sqlAdapter(myClient, { dialect: 'postgresql' });
 * const queue = createQueue({ adapter });
 * ```
 *
 * @category Writing a client
 */
export function sqlAdapter(client: SqlClient, options: SqlAdapterOptions, info: SqlClientInfo = {}): StorageAdapter {
  const clientName = info.name ?? 'sql';
  const fromTransaction = info.fromTransaction;
  for (const method of ['query', 'execute', 'transaction'] as const) {
    if (typeof (client as unknown as Record<string, unknown>)?.[method] !== 'function') {
      throw new MsgQueueError(
        'INVALID_ARGUMENT',
        `sqlAdapter: expected a SqlClient with query, execute and transaction; ${method} is missing.`,
        {
          field: 'client',
        },
      );
    }
  }
  if (typeof options !== 'object' || options === null) {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      "sqlAdapter: expected options with at least { dialect: 'postgresql' | 'mysql' | 'sqlite' }.",
      {
        field: 'options',
      },
    );
  }
  checkOptions(options, 'options', SQL_ADAPTER_OPTIONS);
  const mapping = resolveMapping(options);
  const notify = (options as { notify?: unknown }).notify;
  if (notify !== undefined && typeof notify !== 'boolean') {
    throw new MsgQueueError('INVALID_ARGUMENT', 'options.notify: expected true or false.', { field: 'options.notify' });
  }
  if (notify && mapping.dialect !== 'postgresql') {
    throw new MsgQueueError('INVALID_ARGUMENT', 'options.notify: only PostgreSQL has LISTEN/NOTIFY; workers on this database poll.', {
      field: 'options.notify',
    });
  }
  /** The channel enqueues notify and workers listen on: one per table (the payload is the queue's name). */
  const notifyChannel = notify ? `msgqueue:${mapping.table}` : null;
  const dialect = FRAGMENTS[mapping.dialect];
  const db = dbOf(client, dialect);
  const sight = new GroupSight();

  const transactions = callerTransactions(db);

  let ready: Promise<Table> | undefined;
  const table = (through: Db = db): Promise<Table> => {
    ready ??= readSchema((statement) => through.rows(statement), mapping).then(
      async (schema) => {
        const t = new Table(dialect, mapping, schema);
        if (through === db) await transactions.identify(t);
        return t;
      },
      (error: unknown) => {
        ready = undefined; // let a later call retry once the schema is fixed
        throw wrap(error, 'reading the table schema', clientName);
      },
    );
    return ready;
  };
  /** Run one of the contract's operations; a driver's error becomes STORAGE_ERROR naming the operation and client. */
  const storageCall = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw wrap(error, operation, clientName);
    }
  };
  let known: Table | undefined;
  /**
   * {@link storageCall} for an operation on the table: once the schema is read, the operation runs
   * with no frame of its own around it (the hot path: guard, settle, claim).
   */
  const onTable = <T>(operation: string, fn: (t: Table) => Promise<T>): Promise<T> => {
    if (!known) {
      return storageCall(operation, async () => {
        known = await table();
        return fn(known);
      });
    }
    let running: Promise<T>;
    try {
      running = fn(known);
    } catch (error) {
      running = Promise.reject(error);
    }
    return running.catch((error: unknown) => {
      throw wrap(error, operation, clientName);
    });
  };

  const adapter: StorageAdapter = {
    name: `${clientName}:${mapping.dialect}`,
    storageKey: `table:${mapping.table}`,
    capabilities: {
      claimIsolation: dialect.claimIsolation,
      crossProcessRunLock: mapping.lockTable !== null,
      gates: mapping.gateTable !== null,
      rateLimits: mapping.gateTable !== null,
      transactionalInsert: fromTransaction !== undefined,
    },
    insert: (records: readonly InsertRecord[], context?: InsertContext): Promise<InsertOutcome[]> =>
      storageCall('insert', async () => {
        if (context?.transaction === undefined || !fromTransaction) {
          const t = await table();
          checkInsertable(mapping, t.schema.widths, records);
          return insert(db, t, records, notifyChannel);
        }
        // Inside the caller's transaction, every statement — the first-use schema read included —
        // goes through it: a single-connection client (SQLite) would otherwise wait on itself.
        const through = dbOf(fromTransaction(context.transaction), dialect, false);
        const t = await transactions.whileOpen(() => table(through));
        checkInsertable(mapping, t.schema.widths, records);
        await transactions.check(through, t);
        return insert(through, t, records, notifyChannel);
      }),
    claim: (request: ClaimRequest) =>
      onTable('claim', async (t) =>
        inClaimOrder((await claimSeen(db, t, request, sight)).map((row) => toClaimed(row, claimedAs(request), request.token))),
      ),
    guard: (request: GuardRequest) => onTable('guard', (t) => guard(db, t, request)),
    guardMany: (request: GuardManyRequest) => onTable('guardMany', (t) => guardMany(db, t, request)),
    ackMany: (messages) => onTable('ackMany', (t) => ackMany(db, t, messages)),
    settle: (request: SettleRequest) => onTable('settle', (t) => settle(db, t, request)),
    extendLease: (request: ExtendRequest) => onTable('extendLease', (t) => extend(db, t, request)),
    recycle: (request: RecycleRequest) => storageCall('recycle', async () => recycle(db, await table(), request)),
    snapshot: (request: SnapshotRequest): Promise<StorageSnapshot> =>
      storageCall('snapshot', async () => snapshot(db, await table(), request)),
    get: (id: string) =>
      storageCall('get', async () => {
        const t = await table();
        const [row] = await db.rows(sql`SELECT ${t.select} FROM ${t.name} WHERE ${t.col('id')} = ${id}`, true);
        return row ? toRecord(row, mapping) : null;
      }),
    retry: (request: RetryRequest) => storageCall('retry', async () => retry(db, await table(), request)),
    find: (request: FindRequest) => storageCall('find', async () => find(db, await table(), request)),
    operate: (request: OperateRequest) => storageCall('operate', async () => operate(db, await table(), request)),
    queueNames: () => storageCall('queueNames', async () => queueNames(db, await table())),
  };
  if (notifyChannel !== null && info.listen) {
    const listen = info.listen;
    adapter.listen = async ({ queue, onWake }) => {
      try {
        return await listen(notifyChannel, (payload) => {
          if (payload === queue) onWake();
        });
      } catch (error) {
        throw wrap(error, 'listen', clientName);
      }
    };
  }
  if (mapping.gateTable !== null) {
    adapter.setGate = (change: GateChange) => onTable('setGate', (t) => setGate(db, t, change));
    adapter.gates = ({ queue }: { queue: string }) => onTable('gates', (t) => listGates(db, t, queue));
    adapter.takeSlots = (request: SlotRequest) => onTable('takeSlots', (t) => takeSlots(db, t, request));
    adapter.returnSlots = ({ queue, holder, slots }) => onTable('returnSlots', (t) => returnSlots(db, t, queue, holder, slots));
    adapter.slotsInUse = ({ queue }) => onTable('slotsInUse', (t) => slotsInUse(db, t, queue));
  }
  if (dialect.writableCte) {
    adapter.ackAndClaim = ({ acks, claim: request }: AckAndClaimRequest) =>
      onTable('ackAndClaim', async (t) => {
        const out = await ackAndClaimSeen(db, t, acks, request, sight);
        return { acks: out.acks, records: inClaimOrder(out.rows.map((row) => toClaimed(row, claimedAs(request), request.token))) };
      });
    adapter.ackAndGuard = (request: AckAndGuardRequest) => onTable('ackAndGuard', (t) => ackAndGuard(db, t, request));
  }
  if (mapping.lockTable !== null) {
    adapter.acquireRunLock = ({ name, owner, ttlMs }: RunLockRequest) =>
      storageCall('acquireRunLock', async () => acquireRunLock(db, await table(), name, owner, ttlMs));
    adapter.releaseRunLock = ({ name, owner }) => storageCall('releaseRunLock', async () => releaseRunLock(db, await table(), name, owner));
  }
  return adapter;
}

/**
 * For a client adapter whose dialect is fixed (node-postgres is PostgreSQL): refuse unknown keys,
 * `dialect` included, then build the adapter.
 */
export function fixedDialectAdapter(
  client: SqlClient,
  options: object | undefined,
  dialect: SqlDialect,
  info: SqlClientInfo & { name: string },
): StorageAdapter {
  const clientName = info.name;
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) {
    throw new MsgQueueError('INVALID_ARGUMENT', `${clientName}Adapter: expected an options object.`, { field: 'options' });
  }
  checkOptions(
    o,
    'options',
    SQL_ADAPTER_OPTIONS.filter((k) => k !== 'dialect'),
  );
  return sqlAdapter(client, { ...(o as Omit<SqlAdapterOptions, 'dialect'>), dialect }, info);
}

/** Refuse, before anything is written, what the mapped table cannot hold. */
function checkInsertable(mapping: Mapping, widths: ColumnWidths, records: readonly InsertRecord[]): void {
  const missing = (field: 'priority' | 'groupKey' | 'dedupeKey', used: (r: InsertRecord) => boolean, what: string) => {
    if (mapping.columns[field] === null && records.some(used)) {
      throw new MsgQueueError(
        'INVALID_MAPPING',
        `Table ${mapping.table} has no ${what} column (options.columns.${field} is null); enqueue without a ${field}, or add the column.`,
        { field: `options.columns.${field}` },
      );
    }
  };
  missing('priority', (r) => r.priority !== 0, 'priority');
  missing('groupKey', (r) => r.groupKey !== null, 'group');
  missing('dedupeKey', (r) => r.dedupeKey !== null, 'dedupe');
  for (const field of ['id', 'dedupeKey', 'groupKey'] as const) {
    const width = widths[field];
    if (width === null) continue;
    const long = records.find((r) => r[field] !== null && [...r[field]!].length > width);
    if (long) {
      throw new MsgQueueError(
        'INVALID_ARGUMENT',
        `options.${field}: ${[...long[field]!].length} characters, more than column ${mapping.table}.${mapping.columns[field]} holds (${width}). Use a shorter ${field}, or widen the column.`,
        { field: `options.${field}` },
      );
    }
  }
}

/** Driver errors become STORAGE_ERROR naming the operation; our own typed errors pass through. */
function wrap(error: unknown, operation: string, clientName: string): unknown {
  if (MsgQueueError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message.trim().split('\n').filter(Boolean).slice(-1)[0] : String(error);
  return new MsgQueueError('STORAGE_ERROR', `msgqueue ${clientName} adapter: ${operation} failed: ${message}`, { cause: error });
}

/** RETURNING has no order: the claimed records in claim order (priority, due time, id). */
function inClaimOrder(records: ClaimedRecord[]): ClaimedRecord[] {
  return records.sort(
    (a, b) => a.priority - b.priority || a.availableAt.getTime() - b.availableAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The status a claim writes: SENDING when it is the guard too. */
const claimedAs = (request: ClaimRequest) => (request.guard ? 'SENDING' : 'PROCESSING');
