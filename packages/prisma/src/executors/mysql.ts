import type { ClaimRequest, InsertOutcome, InsertRecord } from '@org/msgqueue';
import type { PrismaLike, PrismaRawClient } from '../prisma-like.js';
import type { RawRow } from '../rows.js';
import { claimCandidates, claimSet, insertColumns, insertOutcomes } from '../statements.js';
import type { TableSql } from '../table-sql.js';
import type { CasUpdate, Executor, RecycleStep } from './executor.js';

const DEADLOCK_RETRIES = 5;

/**
 * MySQL 8 / MariaDB 10.6+: no UPDATE … RETURNING. Claim and recycle are short transactions —
 * lock ids with FOR UPDATE SKIP LOCKED, update them re-checking the status, read them back —
 * with no network call inside. InnoDB locks what it scans, so the claim needs the
 * (status, available_at) index the shipped SQL creates. Concurrent SKIP LOCKED claimers can still
 * deadlock (MySQL bug #111637): the transaction is retried on error 1213.
 *
 * The mariadb driver reports matched rows (foundRows), so a compare-and-set's count is 1 exactly
 * when its WHERE matched.
 */
export function mysqlExecutor(client: PrismaLike, transactionTimeoutMs: number): Executor {
  const q = <T = RawRow[]>(c: PrismaRawClient, text: string, values: unknown[]) => c.$queryRawUnsafe<T>(text, ...values);

  async function transaction<T>(fn: (tx: PrismaRawClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await client.$transaction(fn, { timeout: transactionTimeoutMs, maxWait: transactionTimeoutMs });
      } catch (error) {
        if (attempt >= DEADLOCK_RETRIES || !isDeadlock(error)) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  }

  const ids = (sql: TableSql, rows: RawRow[], params: ReturnType<TableSql['params']>) =>
    `${sql.col('id')} IN (${rows.map((r) => params.add(r.id)).join(', ')})`;

  return {
    async insert(sql: TableSql, records: readonly InsertRecord[]): Promise<InsertOutcome[]> {
      // One statement per row: INSERT IGNORE answers 0 rows for a duplicate id or dedupe key.
      const created = new Set<string>();
      for (const r of records) {
        const params = sql.params();
        const { columns, values } = insertColumns(sql, params, r);
        const n = await client.$executeRawUnsafe(
          `INSERT IGNORE INTO ${sql.table} (${columns.join(', ')}) VALUES (${values.join(', ')})`,
          ...params.values,
        );
        if (n === 1) created.add(r.id);
      }
      return insertOutcomes(client, sql, records, created);
    },

    async claim(sql: TableSql, request: ClaimRequest): Promise<RawRow[]> {
      const { limit, token, leaseMs } = request;
      return transaction(async (tx) => {
        const pick = sql.params();
        // The group rule's subquery is a consistent (non-locking) read: InnoDB only locks the
        // outer candidates, so rows another claimer has locked still count as holding their group.
        const picked = await q(
          tx,
          `${claimCandidates(sql, request.groupPolicy)} LIMIT ${pick.add(limit)} FOR UPDATE SKIP LOCKED`,
          pick.values,
        );
        if (picked.length === 0) return [];
        const params = sql.params();
        const set = claimSet(sql, params, token, leaseMs);
        await tx.$executeRawUnsafe(
          `UPDATE ${sql.table} SET ${set} WHERE ${ids(sql, picked, params)} AND ${sql.col('status')} = ${sql.status('PENDING')}`,
          ...params.values,
        );
        const read = sql.params();
        return q(
          tx,
          `SELECT ${sql.select} FROM ${sql.table} WHERE ${ids(sql, picked, read)} AND ${sql.col('claimToken')} = ${read.add(token)}`,
          read.values,
        );
      });
    },

    async update(sql: TableSql, u: CasUpdate): Promise<RawRow | null> {
      const n = await client.$executeRawUnsafe(`UPDATE ${sql.table} SET ${u.set} WHERE ${u.where}`, ...u.params.values);
      if (n === 0) return null;
      const params = sql.params();
      const rows = await q(client, `SELECT ${sql.select} FROM ${sql.table} WHERE ${sql.col('id')} = ${params.add(u.id)}`, params.values);
      return rows[0] ?? null;
    },

    async recycle(sql: TableSql, step: RecycleStep): Promise<RawRow[]> {
      return transaction(async (tx) => {
        const pick = sql.params();
        const picked = await q(
          tx,
          `SELECT ${sql.col('id')} AS id FROM ${sql.table} WHERE ${step.where}
          ORDER BY ${step.order} LIMIT ${pick.add(step.limit)} FOR UPDATE SKIP LOCKED`,
          pick.values,
        );
        if (picked.length === 0) return [];
        const params = sql.params(); // fresh on every try: a deadlock retry re-runs this function
        params.values.push(...step.params.values);
        await tx.$executeRawUnsafe(
          `UPDATE ${sql.table} SET ${step.set} WHERE ${ids(sql, picked, params)} AND ${step.where}`,
          ...params.values,
        );
        const read = sql.params();
        return q(
          tx,
          `SELECT ${sql.col('id')} AS id, ${sql.col('status')} AS status FROM ${sql.table} WHERE ${ids(sql, picked, read)}`,
          read.values,
        );
      });
    },

    async acquireLock(sql: TableSql, name: string, owner: string, ttlMs: number): Promise<boolean> {
      const d = sql.dialect;
      const kind = sql.schema.lockExpiresAt!;
      const lock = d.quote(sql.mapping.lockTable!);
      const renew = sql.params();
      const taken = await client.$executeRawUnsafe(
        `UPDATE ${lock} SET owner = ${renew.add(owner)}, expires_at = ${d.nowPlus(kind, renew.add(ttlMs))}
         WHERE name = ${renew.add(name)} AND (expires_at < ${d.now(kind)} OR owner = ${renew.add(owner)})`,
        ...renew.values,
      );
      if (taken === 1) return true;
      const insert = sql.params();
      const inserted = await client.$executeRawUnsafe(
        `INSERT IGNORE INTO ${lock} (name, owner, expires_at) VALUES (${insert.add(name)}, ${insert.add(owner)}, ${d.nowPlus(kind, insert.add(ttlMs))})`,
        ...insert.values,
      );
      return inserted === 1;
    },
  };
}

/** MySQL/MariaDB deadlock (1213) or lock wait timeout (1205), as Prisma reports them. */
export function isDeadlock(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown; meta?: { code?: unknown } };
  if (e?.code === 'P2034') return true;
  const text = `${String(e?.meta?.code ?? '')} ${String(e?.message ?? '')}`;
  return /\b(1213|1205)\b|deadlock|lock wait timeout/i.test(text);
}
