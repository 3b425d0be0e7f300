import type { GroupFailurePolicy, MessageStatus } from '@org/msgqueue';
import type { Dialect } from './dialects/dialect.js';
import type { Field, Mapping, TimeField } from './mapping.js';
import type { SchemaInfo } from './schema-info.js';

/** Collects parameter values and hands out placeholders in the order they are added. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}
  /** Add a value; returns its placeholder. Add in the order placeholders appear in the text. */
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

/**
 * SQL fragments for one mapped table: quoted names, status literals, and time expressions on
 * the database's clock. Identifiers were validated against a strict pattern before reaching here.
 *
 * Status values are written as literals, not parameters: they come from the validated mapping
 * (never from a caller), PostgreSQL then coerces them to an enum column's type, and the planner can
 * match the partial index on `status = 'PENDING'`, which it cannot do for a parameter.
 */
export class TableSql {
  readonly table: string;
  readonly select: string;

  constructor(
    readonly dialect: Dialect,
    readonly mapping: Mapping,
    readonly schema: SchemaInfo,
  ) {
    this.table = dialect.quote(mapping.table);
    this.select = this.selectList();
  }

  params(): Params {
    return new Params(this.dialect);
  }

  /** The quoted column of a field (the caller checks optional fields first). */
  col(field: Field): string {
    const name = this.mapping.columns[field];
    if (name === null) throw new Error(`msgqueue-prisma: field ${field} is not mapped`);
    return this.dialect.quote(name);
  }

  has(field: Field): boolean {
    return this.mapping.columns[field] !== null;
  }

  status(status: MessageStatus): string {
    return `'${this.mapping.statuses[status]}'`;
  }

  /** A computed status (a CASE): cast to the column's enum type where it has one. */
  statusCase(expression: string): string {
    return this.schema.statusEnum ? `CAST(${expression} AS ${this.dialect.quote(this.schema.statusEnum)})` : expression;
  }

  statusIn(statuses: readonly MessageStatus[]): string {
    return `${this.col('status')} IN (${statuses.map((s) => this.status(s)).join(', ')})`;
  }

  now(field: TimeField): string {
    return this.dialect.now(this.schema.times[field]);
  }

  nowPlus(field: TimeField, msPlaceholder: string): string {
    return this.dialect.nowPlus(this.schema.times[field], msPlaceholder);
  }

  /** `ORDER BY` of the claim: priority, then availability, then id (time-ordered ids keep FIFO). */
  claimOrder(prefix = ''): string {
    const c = (f: Field) => `${prefix}${this.col(f)}`;
    return [this.has('priority') ? c('priority') : null, c('availableAt'), c('id')].filter(Boolean).join(', ');
  }

  /** Due PENDING rows. */
  duePending(prefix = ''): string {
    return `${prefix}${this.col('status')} = ${this.status('PENDING')} AND ${prefix}${this.col('availableAt')} <= ${this.now('availableAt')}`;
  }

  /**
   * The group rule of the claim, for the candidate row aliased `c`: claimable only when no other
   * row of its group is in flight, and none created before it still holds the group back (PENDING,
   * due or not; FAILED or HELD too under `block`). One index probe on (group_key, created_at, id).
   */
  groupFree(policy: GroupFailurePolicy): string {
    if (!this.has('groupKey')) return '1 = 1';
    const g = this.col('groupKey');
    const [created, id] = [this.col('createdAt'), this.col('id')];
    const holding: MessageStatus[] = policy === 'block' ? ['PENDING', 'FAILED', 'HELD'] : ['PENDING'];
    const st = (s: readonly MessageStatus[]) => `o.${this.col('status')} IN (${s.map((x) => this.status(x)).join(', ')})`;
    return `(c.${g} IS NULL OR NOT EXISTS (SELECT 1 FROM ${this.table} o WHERE o.${g} = c.${g} AND o.${id} <> c.${id} AND (
      ${st(['PROCESSING', 'SENDING'])}
      OR (${st(holding)} AND (o.${created} < c.${created} OR (o.${created} = c.${created} AND o.${id} < c.${id}))))))`;
  }

  /** Every message field, aliased, with times as epoch milliseconds and the payload as text. */
  private selectList(prefix = ''): string {
    const d = this.dialect;
    const a = (alias: string) => d.quote(alias);
    const c = (f: Field) => `${prefix}${this.col(f)}`;
    const t = (f: TimeField) => `${d.epochMs(c(f), this.schema.times[f])} AS ${a(f)}`;
    return [
      `${c('id')} AS ${a('id')}`,
      `${c('status')} AS ${a('status')}`,
      `${d.payloadOut(c('payload'))} AS ${a('payload')}`,
      `${c('attempts')} AS ${a('attempts')}`,
      this.has('priority') ? `${c('priority')} AS ${a('priority')}` : `0 AS ${a('priority')}`,
      t('availableAt'),
      this.has('dedupeKey') ? `${c('dedupeKey')} AS ${a('dedupeKey')}` : `NULL AS ${a('dedupeKey')}`,
      this.has('groupKey') ? `${c('groupKey')} AS ${a('groupKey')}` : `NULL AS ${a('groupKey')}`,
      `${c('claimToken')} AS ${a('claimToken')}`,
      t('leaseUntil'),
      `${c('possiblySent')} AS ${a('possiblySent')}`,
      this.has('lastError') ? `${c('lastError')} AS ${a('lastError')}` : `NULL AS ${a('lastError')}`,
      t('createdAt'),
      t('updatedAt'),
    ].join(', ');
  }

  /** The select list with every column prefixed (for joins). */
  selectFrom(prefix: string): string {
    return this.selectList(prefix);
  }
}
