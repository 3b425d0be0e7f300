import {
  type ClaimRequest,
  type ExtendRequest,
  type FencedOutcome,
  type GuardRequest,
  type InsertOutcome,
  type InsertRecord,
  type InspectRequest,
  type MessageRecord,
  MsgQueueError,
  type RecycleRequest,
  type RequeueRequest,
  type RunLockRequest,
  type SettleRequest,
  type StorageAdapter,
  type StorageSnapshot,
} from '@org/msgqueue';
import type { ColumnWidths } from './column-rules.js';
import type { Dialect } from './dialects/dialect.js';
import { mysql } from './dialects/mysql.js';
import { postgres } from './dialects/postgres.js';
import { sqlite } from './dialects/sqlite.js';
import type { CasUpdate, Executor } from './executors/executor.js';
import { mysqlExecutor } from './executors/mysql.js';
import { returningExecutor } from './executors/returning.js';
import { inspect } from './inspect.js';
import { type ColumnMapping, type Mapping, type Provider, resolveMapping } from './mapping.js';
import { extendUpdate, guardUpdate, requeueUpdate, settleUpdate } from './operations/fenced.js';
import { recycle } from './operations/recycle.js';
import type { PrismaLike } from './prisma-like.js';
import { type RawRow, toRecord } from './rows.js';
import { inspectSchema } from './schema-info.js';
import { TableSql } from './table-sql.js';

/** Options of {@link prismaAdapter}. */
export interface PrismaAdapterOptions {
  /** Your datasource's provider: `postgresql`, `mysql` (MySQL 8, MariaDB 10.6+) or `sqlite`. */
  provider: Provider;
  /** The messages table. Default `msgqueue_messages`. */
  table?: string;
  /** Column names of an existing table; fields left out keep the default names. */
  columns?: ColumnMapping;
  /** Stored values of each status, when your table uses others (e.g. `{ SENT: 'DONE' }`). */
  statuses?: Partial<Record<'PENDING' | 'PROCESSING' | 'SENDING' | 'SENT' | 'FAILED' | 'HELD', string>>;
  /** The run-lock table for `runOnce`'s cross-instance overlap guard; `false` to go without. Default `msgqueue_locks`. */
  lockTable?: string | false;
  /** MySQL only: interactive transaction timeout. Default 5000 ms. */
  transactionTimeoutMs?: number;
}

const OPTION_KEYS = ['provider', 'table', 'columns', 'statuses', 'lockTable', 'transactionTimeoutMs'];
const DIALECTS: Record<Provider, Dialect> = { postgresql: postgres, mysql, sqlite };

/**
 * A storage adapter over your PrismaClient (Prisma 7, with a driver adapter). Every operation is
 * raw SQL for your provider: one statement on PostgreSQL and SQLite, a short transaction for the
 * MySQL claim and recycle; all time arithmetic uses the database's clock.
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
      { field: 'options' },
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new MsgQueueError('UNKNOWN_OPTION', `options.${key}: unknown option. Known options: ${OPTION_KEYS.join(', ')}.`, {
        field: `options.${key}`,
      });
    }
  }
  const mapping = resolveMapping(options);
  const timeout = options.transactionTimeoutMs ?? 5_000;
  if (!Number.isInteger(timeout) || timeout < 100 || timeout > 60_000) {
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      'options.transactionTimeoutMs: expected a whole number of milliseconds from 100 to 60000.',
      { field: 'options.transactionTimeoutMs' },
    );
  }
  if (typeof prisma.$transaction !== 'function') {
    // The MySQL claim and every diagnose snapshot run in a short transaction of their own.
    throw new MsgQueueError(
      'INVALID_ARGUMENT',
      'prismaAdapter: expected your PrismaClient (with $transaction), not a transaction client.',
      {
        field: 'prisma',
      },
    );
  }
  const dialect = DIALECTS[mapping.provider];
  const executor: Executor =
    mapping.provider === 'mysql' ? mysqlExecutor(prisma, timeout) : returningExecutor(prisma, mapping.provider === 'postgresql');

  let ready: Promise<TableSql> | undefined;
  const table = (): Promise<TableSql> => {
    ready ??= inspectSchema(prisma, dialect, mapping).then(
      (schema) => new TableSql(dialect, mapping, schema),
      (error: unknown) => {
        ready = undefined; // let a later call retry once the schema is fixed
        throw wrap(error, 'reading the table schema');
      },
    );
    return ready;
  };
  const record = (row: RawRow) => toRecord(row, mapping);
  const read = async (sql: TableSql, id: string): Promise<MessageRecord | null> => {
    const params = sql.params();
    const rows = await prisma.$queryRawUnsafe<RawRow[]>(
      `SELECT ${sql.select} FROM ${sql.table} WHERE ${sql.col('id')} = ${params.add(id)}`,
      ...params.values,
    );
    return rows[0] ? record(rows[0]) : null;
  };
  const nowOf = async (sql: TableSql): Promise<Date> => {
    const [row] = await prisma.$queryRawUnsafe<RawRow[]>(
      `SELECT ${dialect.epochMs(sql.now('updatedAt'), sql.schema.times.updatedAt)} AS ${dialect.quote('now')}`,
    );
    return new Date(Number(row!.now));
  };
  /** Run a compare-and-set; on no match, re-read the row so the core can explain the refusal. */
  const cas = async (build: (sql: TableSql) => CasUpdate): Promise<FencedOutcome> => {
    const sql = await table();
    const update = build(sql);
    const row = await executor.update(sql, update);
    if (row) return { ok: true, record: record(row) };
    const [current, now] = await Promise.all([read(sql, update.id), nowOf(sql)]);
    return { ok: false, current, now };
  };
  const adapter: StorageAdapter = {
    name: `prisma:${mapping.provider}`,
    storageKey: `table:${mapping.table}`,
    capabilities: {
      claimIsolation: mapping.provider === 'sqlite' ? 'single-writer' : 'row-locks',
      crossProcessRunLock: mapping.lockTable !== null,
    },

    insert: (records: readonly InsertRecord[]): Promise<InsertOutcome[]> =>
      guarded('insert', async () => {
        const sql = await table();
        if (!sql.has('priority') && records.some((r) => r.priority !== 0)) {
          throw new MsgQueueError(
            'INVALID_MAPPING',
            `Table ${mapping.table} has no priority column (options.columns.priority is null); enqueue without a priority.`,
            { field: 'options.columns.priority' },
          );
        }
        if (!sql.has('groupKey') && records.some((r) => r.groupKey !== null)) {
          throw new MsgQueueError(
            'INVALID_MAPPING',
            `Table ${mapping.table} has no group column (options.columns.groupKey is null); enqueue without a groupKey, or add the column.`,
            { field: 'options.columns.groupKey' },
          );
        }
        if (!sql.has('dedupeKey') && records.some((r) => r.dedupeKey !== null)) {
          throw new MsgQueueError(
            'INVALID_MAPPING',
            `Table ${mapping.table} has no dedupe column (options.columns.dedupeKey is null); enqueue without a dedupeKey.`,
            { field: 'options.columns.dedupeKey' },
          );
        }
        checkWidths(mapping, sql.schema.widths, records);
        return executor.insert(sql, records);
      }),

    claim: (request: ClaimRequest) =>
      guarded('claim', async () => {
        const sql = await table();
        const rows = (await executor.claim(sql, request)).map(record);
        // RETURNING has no order: give them back in claim order.
        return rows.sort(
          (a, b) =>
            a.priority - b.priority || a.availableAt.getTime() - b.availableAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        );
      }),

    guard: (request: GuardRequest) => guarded('guard', () => cas((sql) => guardUpdate(sql, request))),

    settle: (request: SettleRequest) => guarded('settle', () => cas((sql) => settleUpdate(sql, request))),

    extendLease: (request: ExtendRequest) => guarded('extendLease', () => cas((sql) => extendUpdate(sql, request))),

    recycle: (request: RecycleRequest) => guarded('recycle', async () => recycle(executor, await table(), request)),

    inspect: (request: InspectRequest): Promise<StorageSnapshot> =>
      guarded('inspect', async () => {
        const sql = await table();
        // One snapshot for every figure: PostgreSQL needs REPEATABLE READ for it (its default, READ
        // COMMITTED, snapshots per statement); InnoDB's default and a SQLite read transaction give it.
        const isolationLevel = mapping.provider === 'postgresql' ? 'RepeatableRead' : undefined;
        return prisma.$transaction((tx) => inspect(tx, sql, request), { isolationLevel, timeout: 60_000, maxWait: 10_000 });
      }),

    get: (id: string) => guarded('get', async () => read(await table(), id)),

    requeue: (request: RequeueRequest) => guarded('requeue', () => cas((sql) => requeueUpdate(sql, request))),
  };

  if (mapping.lockTable !== null) {
    adapter.acquireRunLock = ({ name, owner, ttlMs }: RunLockRequest) =>
      guarded('acquireRunLock', async () => executor.acquireLock(await table(), name, owner, ttlMs));
    adapter.releaseRunLock = ({ name, owner }) =>
      guarded('releaseRunLock', async () => {
        const sql = await table();
        const params = sql.params();
        await prisma.$executeRawUnsafe(
          `DELETE FROM ${dialect.quote(mapping.lockTable!)} WHERE name = ${params.add(name)} AND owner = ${params.add(owner)}`,
          ...params.values,
        );
      });
  }
  return adapter;
}

/** Run an operation, turning driver errors into STORAGE_ERROR (our own typed errors pass through). */
async function guarded<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw wrap(error, operation);
  }
}

function wrap(error: unknown, operation: string): unknown {
  if (MsgQueueError.isInstance(error)) return error;
  const message = error instanceof Error ? error.message.trim().split('\n').filter(Boolean).slice(-1)[0] : String(error);
  return new MsgQueueError('STORAGE_ERROR', `msgqueue-prisma ${operation} failed: ${message}`, { cause: error });
}

/** Refuse, before anything is written, an id or key longer than its column holds. */
function checkWidths(mapping: Mapping, widths: ColumnWidths, records: readonly InsertRecord[]): void {
  for (const field of ['id', 'dedupeKey', 'groupKey'] as const) {
    const width = widths[field];
    if (width === null) continue;
    const long = records.find((r) => r[field] !== null && [...r[field]!].length > width);
    if (long) {
      const option = field === 'id' ? 'id' : field;
      throw new MsgQueueError(
        'INVALID_ARGUMENT',
        `options.${option}: ${[...long[field]!].length} characters, more than column ${mapping.table}.${mapping.columns[field]} holds (${width}). Use a shorter ${option}, or widen the column.`,
        { field: `options.${option}` },
      );
    }
  }
}
