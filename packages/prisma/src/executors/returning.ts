import type { ClaimRequest, InsertOutcome, InsertRecord } from '@org/msgqueue';
import type { PrismaRawClient } from '../prisma-like.js';
import type { RawRow } from '../rows.js';
import { claimCandidates, claimSet, insertColumns, insertOutcomes } from '../statements.js';
import type { TableSql } from '../table-sql.js';
import type { CasUpdate, Executor, RecycleStep } from './executor.js';

const INSERT_CHUNK = 100;

/**
 * PostgreSQL and SQLite: every operation is one autocommit statement using UPDATE … RETURNING.
 *
 * PostgreSQL picks rows in a MATERIALIZED CTE with FOR UPDATE SKIP LOCKED, so the subquery runs
 * once and concurrent claimers skip each other's rows instead of waiting (a plain
 * `WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` may be re-evaluated and lock more than n).
 * SQLite has one writer at a time: the same statement without row locks is already exclusive.
 */
export function returningExecutor(client: PrismaRawClient, rowLocks: boolean): Executor {
  const q = <T = RawRow[]>(text: string, values: unknown[]) => client.$queryRawUnsafe<T>(text, ...values);

  return {
    async insert(sql: TableSql, records: readonly InsertRecord[]): Promise<InsertOutcome[]> {
      const created = new Set<string>();
      for (let i = 0; i < records.length; i += INSERT_CHUNK) {
        const chunk = records.slice(i, i + INSERT_CHUNK);
        const params = sql.params();
        let columns: string[] = [];
        const rows = chunk.map((r) => {
          const built = insertColumns(sql, params, r);
          columns = built.columns;
          return `(${built.values.join(', ')})`;
        });
        const inserted = await q<RawRow[]>(
          `INSERT INTO ${sql.table} (${columns.join(', ')}) VALUES ${rows.join(', ')} ON CONFLICT DO NOTHING RETURNING ${sql.col('id')} AS ${sql.dialect.quote('id')}`,
          params.values,
        );
        for (const row of inserted) created.add(String(row.id));
      }
      return insertOutcomes(client, sql, records, created);
    },

    async claim(sql: TableSql, request: ClaimRequest): Promise<RawRow[]> {
      const { limit, token, leaseMs } = request;
      const params = sql.params();
      // Placeholders are added in text order: SET first, then the picking subquery's LIMIT.
      const set = claimSet(sql, params, token, leaseMs);
      const limitPh = params.add(limit);
      const text = rowLocks
        ? `WITH picked AS MATERIALIZED (
            ${claimCandidates(sql, request.groupPolicy)} LIMIT ${limitPh} FOR UPDATE OF c SKIP LOCKED)
          UPDATE ${sql.table} AS m SET ${set} FROM picked WHERE m.${sql.col('id')} = picked.${sql.dialect.quote('id')}
          RETURNING ${sql.selectFrom('m.')}`
        : `UPDATE ${sql.table} SET ${set}
          WHERE ${sql.col('id')} IN (${claimCandidates(sql, request.groupPolicy)} LIMIT ${limitPh})
            AND ${sql.col('status')} = ${sql.status('PENDING')}
          RETURNING ${sql.select}`;
      return q(text, params.values);
    },

    async update(sql: TableSql, u: CasUpdate): Promise<RawRow | null> {
      const rows = await q(`UPDATE ${sql.table} SET ${u.set} WHERE ${u.where} RETURNING ${sql.select}`, u.params.values);
      return rows[0] ?? null;
    },

    async recycle(sql: TableSql, step: RecycleStep): Promise<RawRow[]> {
      // `step.where` has no placeholders (status literals, times against now): safe to repeat.
      const id = sql.col('id');
      const limitPh = step.params.add(step.limit);
      const text = rowLocks
        ? `WITH picked AS MATERIALIZED (
            SELECT ${id} FROM ${sql.table} WHERE ${step.where} ORDER BY ${step.order} LIMIT ${limitPh} FOR UPDATE SKIP LOCKED)
          UPDATE ${sql.table} AS m SET ${step.set} FROM picked WHERE m.${id} = picked.${id} AND ${step.where}
          RETURNING m.${id} AS ${sql.dialect.quote('id')}, m.${sql.col('status')} AS ${sql.dialect.quote('status')}`
        : `UPDATE ${sql.table} SET ${step.set}
          WHERE ${id} IN (SELECT ${id} FROM ${sql.table} WHERE ${step.where} ORDER BY ${step.order} LIMIT ${limitPh}) AND ${step.where}
          RETURNING ${id} AS ${sql.dialect.quote('id')}, ${sql.col('status')} AS ${sql.dialect.quote('status')}`;
      return q(text, step.params.values);
    },

    async acquireLock(sql: TableSql, name: string, owner: string, ttlMs: number): Promise<boolean> {
      const d = sql.dialect;
      const kind = sql.schema.lockExpiresAt!;
      const params = sql.params();
      const lock = d.quote(sql.mapping.lockTable!);
      const text = `INSERT INTO ${lock} (name, owner, expires_at) VALUES (${params.add(name)}, ${params.add(owner)}, ${d.nowPlus(kind, params.add(ttlMs))})
        ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
        WHERE ${lock}.expires_at < ${d.now(kind)} OR ${lock}.owner = excluded.owner`;
      return (await client.$executeRawUnsafe(text, ...params.values)) === 1;
    },
  };
}
