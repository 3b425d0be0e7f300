import {
  MsgQueueError,
  type ClaimRequest, type ExtendRequest, type FencedOutcome, type GuardRequest, type InsertOutcome,
  type InsertRecord, type InspectRequest, type MessageRecord, type RecycleOutcome, type RecycleRequest,
  type RequeueRequest, type RunLockRequest, type SettleRequest, type StorageAdapter, type StorageSnapshot,
} from '@org/msgqueue';
import type { Dialect } from './dialects/dialect.js';
import { mysql } from './dialects/mysql.js';
import { postgres } from './dialects/postgres.js';
import { sqlite } from './dialects/sqlite.js';
import type { CasUpdate, Executor } from './executors/executor.js';
import { mysqlExecutor } from './executors/mysql.js';
import { returningExecutor } from './executors/returning.js';
import { inspect } from './inspect.js';
import { type ColumnMapping, type Provider, resolveMapping } from './mapping.js';
import type { PrismaLike } from './prisma-like.js';
import { type RawRow, toRecord, toStatus } from './rows.js';
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

/** lastError of a message the recycler failed for running out of attempts. */
const OUT_OF_ATTEMPTS = 'lease expired and no attempts left';
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
    throw new MsgQueueError('INVALID_ARGUMENT', 'prismaAdapter: expected your PrismaClient instance as the first argument.', { field: 'prisma' });
  }
  if (typeof options !== 'object' || options === null) {
    throw new MsgQueueError('INVALID_ARGUMENT', "prismaAdapter: expected options with at least { provider: 'postgresql' | 'mysql' | 'sqlite' }.", { field: 'options' });
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new MsgQueueError('UNKNOWN_OPTION', `options.${key}: unknown option. Known options: ${OPTION_KEYS.join(', ')}.`, { field: `options.${key}` });
    }
  }
  const mapping = resolveMapping(options);
  const timeout = options.transactionTimeoutMs ?? 5_000;
  if (!Number.isInteger(timeout) || timeout < 100 || timeout > 60_000) {
    throw new MsgQueueError('INVALID_ARGUMENT', 'options.transactionTimeoutMs: expected a whole number of milliseconds from 100 to 60000.', { field: 'options.transactionTimeoutMs' });
  }
  if (mapping.provider === 'mysql' && typeof prisma.$transaction !== 'function') {
    throw new MsgQueueError('INVALID_ARGUMENT', 'prismaAdapter: MySQL needs a PrismaClient with $transaction (not a transaction client).', { field: 'prisma' });
  }
  const dialect = DIALECTS[mapping.provider];
  const executor: Executor = mapping.provider === 'mysql' ? mysqlExecutor(prisma, timeout) : returningExecutor(prisma, mapping.provider === 'postgresql');

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
    const rows = await prisma.$queryRawUnsafe<RawRow[]>(`SELECT ${sql.select} FROM ${sql.table} WHERE ${sql.col('id')} = ${params.add(id)}`, ...params.values);
    return rows[0] ? record(rows[0]) : null;
  };
  const nowOf = async (sql: TableSql): Promise<Date> => {
    const [row] = await prisma.$queryRawUnsafe<RawRow[]>(`SELECT ${dialect.epochMs(sql.now('updatedAt'), sql.schema.times.updatedAt)} AS ${dialect.quote('now')}`);
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
  /** `id = ? AND claim_token = ? AND status IN (…)`, parameters added after the SET's. */
  const fenced = (sql: TableSql, u: { params: ReturnType<TableSql['params']> }, id: string, token: string, from: readonly SettleRequest['from'][number][]) =>
    `${sql.col('id')} = ${u.params.add(id)} AND ${sql.col('claimToken')} = ${u.params.add(token)} AND ${sql.statusIn(from)}`;

  const adapter: StorageAdapter = {
    name: `prisma:${mapping.provider}`,
    capabilities: {
      claimIsolation: mapping.provider === 'sqlite' ? 'single-writer' : 'row-locks',
      crossProcessRunLock: mapping.lockTable !== null,
    },

    insert: (records: readonly InsertRecord[]): Promise<InsertOutcome[]> =>
      guarded('insert', async () => {
        const sql = await table();
        if (!sql.has('priority') && records.some((r) => r.priority !== 0)) {
          throw new MsgQueueError('INVALID_MAPPING', `Table ${mapping.table} has no priority column (options.columns.priority is null); enqueue without a priority.`, { field: 'options.columns.priority' });
        }
        if (!sql.has('groupKey') && records.some((r) => r.groupKey !== null)) {
          throw new MsgQueueError('INVALID_MAPPING', `Table ${mapping.table} has no group column (options.columns.groupKey is null); enqueue without a groupKey, or add the column.`, { field: 'options.columns.groupKey' });
        }
        if (!sql.has('dedupeKey') && records.some((r) => r.dedupeKey !== null)) {
          throw new MsgQueueError('INVALID_MAPPING', `Table ${mapping.table} has no dedupe column (options.columns.dedupeKey is null); enqueue without a dedupeKey.`, { field: 'options.columns.dedupeKey' });
        }
        return executor.insert(sql, records);
      }),

    claim: (request: ClaimRequest) =>
      guarded('claim', async () => {
        const sql = await table();
        const rows = (await executor.claim(sql, request)).map(record);
        // RETURNING has no order: give them back in claim order.
        return rows.sort((a, b) => a.priority - b.priority || a.availableAt.getTime() - b.availableAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),

    guard: ({ id, token, minLeaseMs }: GuardRequest) =>
      guarded('guard', () =>
        cas((sql) => {
          const params = sql.params();
          const set = `${sql.col('status')} = ${sql.status('SENDING')}, ${sql.col('updatedAt')} = ${sql.now('updatedAt')}`;
          const where = `${fenced(sql, { params }, id, token, ['PROCESSING'])} AND ${sql.col('leaseUntil')} >= ${sql.nowPlus('leaseUntil', params.add(minLeaseMs))}`;
          return { set, where, params, id };
        }),
      ),

    settle: ({ id, token, from, to, delayMs, error, refundAttempt, possiblySent }: SettleRequest) =>
      guarded('settle', () =>
        cas((sql) => {
          const params = sql.params();
          const attempts = sql.col('attempts');
          const set = [
            `${sql.col('status')} = ${sql.status(to)}`,
            `${sql.col('claimToken')} = NULL`,
            `${sql.col('leaseUntil')} = NULL`,
            `${sql.col('updatedAt')} = ${sql.now('updatedAt')}`,
            to === 'PENDING' ? `${sql.col('availableAt')} = ${sql.nowPlus('availableAt', params.add(delayMs))}` : null,
            error !== null && sql.has('lastError') ? `${sql.col('lastError')} = ${params.add(error)}` : null,
            refundAttempt ? `${attempts} = CASE WHEN ${attempts} > 0 THEN ${attempts} - 1 ELSE 0 END` : null,
            possiblySent ? `${sql.col('possiblySent')} = ${sql.dialect.bool(true)}` : null,
          ].filter(Boolean).join(', ');
          return { set, where: fenced(sql, { params }, id, token, from), params, id };
        }),
      ),

    extendLease: ({ id, token, leaseMs }: ExtendRequest) =>
      guarded('extendLease', () =>
        cas((sql) => {
          const params = sql.params();
          const set = `${sql.col('leaseUntil')} = ${sql.nowPlus('leaseUntil', params.add(leaseMs))}`;
          return { set, where: fenced(sql, { params }, id, token, ['PROCESSING', 'SENDING']), params, id };
        }),
      ),

    recycle: (request: RecycleRequest) => guarded('recycle', async () => recycle(await table(), request)),

    inspect: (request: InspectRequest): Promise<StorageSnapshot> => guarded('inspect', async () => inspect(prisma, await table(), request)),

    get: (id: string) => guarded('get', async () => read(await table(), id)),

    requeue: ({ id, from }: RequeueRequest) =>
      guarded('requeue', () =>
        cas((sql) => {
          const params = sql.params();
          const set = [
            `${sql.col('status')} = ${sql.status('PENDING')}`,
            `${sql.col('attempts')} = 0`,
            `${sql.col('claimToken')} = NULL`,
            `${sql.col('leaseUntil')} = NULL`,
            `${sql.col('availableAt')} = ${sql.now('availableAt')}`,
            `${sql.col('updatedAt')} = ${sql.now('updatedAt')}`,
          ].join(', ');
          return { set, where: `${sql.col('id')} = ${params.add(id)} AND ${sql.statusIn(from)}`, params, id };
        }),
      ),
  };

  async function recycle(sql: TableSql, { maxAttempts, deliveryMode, limit }: RecycleRequest): Promise<RecycleOutcome> {
    const out: RecycleOutcome = { requeued: [], requeuedPossiblySent: [], held: [], failed: [] };
    // One step per in-flight status, so each moved row's outcome follows from its new status.
    for (const from of ['PROCESSING', 'SENDING'] as const) {
      const left = limit - out.requeued.length - out.requeuedPossiblySent.length - out.held.length - out.failed.length;
      if (left <= 0) break;
      const params = sql.params();
      const attempts = sql.col('attempts');
      const hold = from === 'SENDING' && deliveryMode === 'at-most-once';
      // Placeholders are added in text order (MySQL and SQLite bind by position), and only when used.
      const status = hold
        ? sql.status('HELD')
        : sql.statusCase(`CASE WHEN ${attempts} >= ${params.add(maxAttempts)} THEN ${sql.status('FAILED')} ELSE ${sql.status('PENDING')} END`);
      const reason = hold
        ? 'lease expired after the pre-send guard; delivery unknown (at-most-once: held for review)'
        : from === 'SENDING'
          ? 'lease expired after the pre-send guard; will be sent again (at-least-once)'
          : 'lease expired before the send';
      const set = [
        `${sql.col('status')} = ${status}`,
        `${sql.col('claimToken')} = NULL`,
        `${sql.col('leaseUntil')} = NULL`,
        `${sql.col('availableAt')} = ${sql.now('availableAt')}`,
        `${sql.col('updatedAt')} = ${sql.now('updatedAt')}`,
        from === 'SENDING' ? `${sql.col('possiblySent')} = ${sql.dialect.bool(true)}` : null,
        !sql.has('lastError')
          ? null
          : hold
            ? `${sql.col('lastError')} = ${params.add(reason)}`
            : `${sql.col('lastError')} = CASE WHEN ${attempts} >= ${params.add(maxAttempts)} THEN ${params.add(OUT_OF_ATTEMPTS)} ELSE ${params.add(reason)} END`,
      ].filter(Boolean).join(', ');
      const where = `${sql.col('status')} = ${sql.status(from)} AND ${sql.col('leaseUntil')} < ${sql.now('leaseUntil')}`;
      const moved = await executor.recycle(sql, { set, params, where, limit: left });
      for (const row of moved) {
        const id = String(row.id);
        const now = toStatus(row.status, mapping, id);
        if (now === 'FAILED') out.failed.push(id);
        else if (now === 'HELD') out.held.push(id);
        else if (from === 'SENDING') out.requeuedPossiblySent.push(id);
        else out.requeued.push(id);
      }
    }
    return out;
  }

  if (mapping.lockTable !== null) {
    adapter.acquireRunLock = ({ name, owner, ttlMs }: RunLockRequest) =>
      guarded('acquireRunLock', async () => executor.acquireLock(await table(), name, owner, ttlMs));
    adapter.releaseRunLock = ({ name, owner }) =>
      guarded('releaseRunLock', async () => {
        const sql = await table();
        const params = sql.params();
        await prisma.$executeRawUnsafe(`DELETE FROM ${dialect.quote(mapping.lockTable!)} WHERE name = ${params.add(name)} AND owner = ${params.add(owner)}`, ...params.values);
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
