import type { GroupFailurePolicy, MessageStatus } from '@org/msgqueue';
import type { Dialect } from './dialects/dialect.js';
import type { SchemaInfo } from './introspect/schema.js';
import type { Field, Mapping, TimeField } from './mapping.js';
import { join, raw, type Sql, sql } from './template.js';

/**
 * Fragments for one mapped table: quoted names, status literals, and time expressions on the
 * database's clock. Identifiers were validated against a strict pattern before reaching here.
 *
 * Status values are written as literals, not parameters: they come from the validated mapping
 * (never from a caller), PostgreSQL then coerces them to an enum column's type, and the planner can
 * match the partial index on `status = 'PENDING'`, which it cannot do for a parameter.
 */
export class Table {
  /** The quoted table name. */
  readonly name: Sql;
  /** Every message field, aliased, with times as epoch milliseconds and the payload as text. */
  readonly select: Sql;
  /** {@link Table.select} without the payload. */
  readonly selectWithoutPayload: Sql;

  constructor(
    readonly dialect: Dialect,
    readonly mapping: Mapping,
    readonly schema: SchemaInfo,
  ) {
    this.name = raw(dialect.quote(mapping.table));
    this.select = this.selectList('');
    this.selectWithoutPayload = this.selectList('', false);
  }

  /** Fragments that depend only on the table, built once each (the hot path builds statements from them). */
  private readonly memo = new Map<string, Sql>();

  private once(key: string, build: () => Sql): Sql {
    let fragment = this.memo.get(key);
    if (fragment === undefined) {
      fragment = build();
      this.memo.set(key, fragment);
    }
    return fragment;
  }

  /** The quoted column of a field (the caller checks optional fields first), with an optional alias prefix. */
  col(field: Field, prefix = ''): Sql {
    return this.once(`c${prefix}.${field}`, () => {
      const name = this.schema.columns[field];
      if (name === null) throw new Error(`msgqueue-sql: field ${field} is not mapped`);
      return raw(`${prefix}${this.dialect.quote(name)}`);
    });
  }

  has(field: Field): boolean {
    return this.schema.columns[field] !== null;
  }

  /** Rows of the named queue (every row, over a table without a queue column: it holds one queue). */
  inQueue(queue: string, prefix = ''): Sql {
    return this.has('queue') ? sql`${this.col('queue', prefix)} = ${queue}` : raw('1 = 1');
  }

  /** A quoted alias. */
  alias(name: string): Sql {
    return this.once(`a${name}`, () => raw(this.dialect.quote(name)));
  }

  /**
   * A status's stored value as a literal. CANCELLED on a status enum without it is NULL: no row has
   * it, and a comparison with NULL matches none (a write of it is refused first, see `operate`).
   */
  status(status: MessageStatus): Sql {
    if (status === 'CANCELLED' && !this.schema.widths.cancelled) return raw('NULL');
    return this.once(`s${status}`, () => raw(`'${this.mapping.statuses[status]}'`));
  }

  /** A computed status (a CASE): cast to the column's enum type where it has one. */
  statusCase(expression: Sql): Sql {
    return this.schema.statusEnum ? sql`CAST(${expression} AS ${raw(this.dialect.quote(this.schema.statusEnum))})` : expression;
  }

  statusIn(statuses: readonly MessageStatus[], prefix = ''): Sql {
    return this.once(
      `i${prefix}.${statuses.join(',')}`,
      () => sql`${this.col('status', prefix)} IN (${join(statuses.map((s) => this.status(s)))})`,
    );
  }

  now(field: TimeField): Sql {
    return this.once(`n${field}`, () => this.dialect.now(this.schema.times[field]));
  }

  nowPlus(field: TimeField, ms: unknown): Sql {
    return this.dialect.nowPlus(this.schema.times[field], ms);
  }

  /** A time column read as epoch milliseconds. */
  epochMs(field: TimeField, prefix = ''): Sql {
    return this.once(`e${prefix}.${field}`, () => this.dialect.epochMs(this.col(field, prefix), this.schema.times[field]));
  }

  /** `ORDER BY` of the claim: priority, then availability, then id (time-ordered ids keep FIFO). */
  claimOrder(prefix = ''): Sql {
    return this.once(`o${prefix}`, () => this.buildClaimOrder(prefix));
  }

  private buildClaimOrder(prefix: string): Sql {
    return join(
      [this.has('priority') ? this.col('priority', prefix) : null, this.col('availableAt', prefix), this.col('id', prefix)].filter(
        (f): f is Sql => f !== null,
      ),
    );
  }

  /** Due PENDING rows. */
  duePending(prefix = ''): Sql {
    return this.once(`d${prefix}`, () => this.buildDuePending(prefix));
  }

  private buildDuePending(prefix: string): Sql {
    return sql`${this.col('status', prefix)} = ${this.status('PENDING')} AND ${this.col('availableAt', prefix)} <= ${this.now('availableAt')}`;
  }

  /**
   * The group rule of the claim, for the candidate row aliased `c`: claimable only when no other
   * row of its group is in flight, and none created before it still blocks the group (PENDING,
   * due or not; FAILED or HELD too under `block`). One index probe on (group_key, created_at, id).
   */
  groupFree(policy: GroupFailurePolicy): Sql {
    if (!this.has('groupKey')) return raw('1 = 1');
    const [g, created, id] = [this.col('groupKey'), this.col('createdAt'), this.col('id')];
    const blocking: MessageStatus[] = policy === 'block' ? ['PENDING', 'FAILED', 'HELD'] : ['PENDING'];
    const sameQueue = this.has('queue') ? sql` AND o.${this.col('queue')} = c.${this.col('queue')}` : sql``;
    return sql`(c.${g} IS NULL OR NOT EXISTS (SELECT 1 FROM ${this.name} o WHERE o.${g} = c.${g}${sameQueue} AND o.${id} <> c.${id} AND (
      ${this.statusIn(['PROCESSING', 'SENDING'], 'o.')}
      OR (${this.statusIn(blocking, 'o.')} AND (o.${created} < c.${created} OR (o.${created} = c.${created} AND o.${id} < c.${id}))))))`;
  }

  /** A message's state after a transition (no payload), aliased, times as epoch milliseconds. */
  stateList(prefix = ''): Sql {
    return this.once(`l${prefix}`, () => this.buildStateList(prefix));
  }

  private buildStateList(prefix: string): Sql {
    const a = (name: string) => this.alias(name);
    return join([
      sql`${this.col('id', prefix)} AS ${a('id')}`,
      sql`${this.col('status', prefix)} AS ${a('status')}`,
      sql`${this.col('attempts', prefix)} AS ${a('attempts')}`,
      sql`${this.epochMs('availableAt', prefix)} AS ${a('availableAt')}`,
      sql`${this.col('claimToken', prefix)} AS ${a('claimToken')}`,
      sql`${this.epochMs('leaseUntil', prefix)} AS ${a('leaseUntil')}`,
      sql`${this.col('possiblySent', prefix)} AS ${a('possiblySent')}`,
    ]);
  }

  /** The database's time as epoch milliseconds, aliased `msgqueue_now`. */
  nowMs(): Sql {
    return this.once(`now`, () => this.buildNowMs());
  }

  private buildNowMs(): Sql {
    return sql`${this.dialect.epochMs(this.now('updatedAt'), this.schema.times.updatedAt)} AS ${this.alias('msgqueue_now')}`;
  }

  /** The names (aliases) of the select list's columns, in its order. */
  selectNames(payload = true): readonly SelectName[] {
    return payload ? SELECT_NAMES : SELECT_NAMES.filter((n) => n !== 'payload');
  }

  /** The select list with every column prefixed (for joins), with or without the payload. */
  selectList(prefix: string, payload = true): Sql {
    return this.once(`p${prefix}.${payload}`, () => this.columns(prefix, this.selectNames(payload)));
  }

  /**
   * What a claim answers ({@link CLAIM_NAMES}): no status or token (the claim wrote them: the
   * adapter knows them), no last error or update time (a worker needs neither).
   */
  claimList(prefix: string): Sql {
    return this.once(`k${prefix}`, () => this.columns(prefix, CLAIM_NAMES));
  }

  /** What an ack that rides with a claim answers ({@link ACK_NAMES}): the rest of its state it wrote. */
  ackList(prefix: string): Sql {
    return this.once(`q${prefix}`, () => this.columns(prefix, ACK_NAMES));
  }

  /** What a guard answers ({@link GUARD_NAMES}): its status and token are the ones it matched and wrote. */
  guardList(): Sql {
    return this.once('g', () => this.columns('', GUARD_NAMES));
  }

  /** Columns of the select list by name, each read as its field is (times as epoch ms, payload as text), aliased. */
  private columns(prefix: string, names: readonly SelectName[]): Sql {
    const d = this.dialect;
    const c = (f: Field) => this.col(f, prefix);
    const column = (f: SelectName): Sql => {
      switch (f) {
        case 'payload':
          return d.payloadOut(c('payload'));
        case 'priority':
          return this.has('priority') ? c('priority') : sql`0`;
        case 'availableAt':
        case 'leaseUntil':
        case 'createdAt':
        case 'updatedAt':
          return this.epochMs(f, prefix);
        case 'dedupeKey':
        case 'groupKey':
        case 'lastError':
          return this.has(f) ? c(f) : sql`NULL`;
        default:
          return c(f);
      }
    };
    return join(names.map((f) => sql`${column(f)} AS ${this.alias(f)}`));
  }
}

/** The columns a message is read with, by field name (each aliased so), in select-list order. */
export const SELECT_NAMES = [
  'id',
  'status',
  'payload',
  'attempts',
  'priority',
  'availableAt',
  'dedupeKey',
  'groupKey',
  'claimToken',
  'leaseUntil',
  'possiblySent',
  'lastError',
  'createdAt',
  'updatedAt',
] as const;

/** A column of the select list, named as the field it reads. */
export type SelectName = (typeof SELECT_NAMES)[number];

/** The columns a claim answers, in select-list order. */
export const CLAIM_NAMES: readonly SelectName[] = SELECT_NAMES.filter(
  (n) => n !== 'status' && n !== 'claimToken' && n !== 'lastError' && n !== 'updatedAt',
);

/** The columns an ack (riding with a claim, or any settle) answers: what it may have changed beside status, token and lease. */
export const ACK_NAMES: readonly SelectName[] = ['id', 'attempts', 'availableAt', 'possiblySent'];

/** The columns a guard answers: an ack's, and the lease it checked. */
export const GUARD_NAMES: readonly SelectName[] = ['id', 'attempts', 'availableAt', 'leaseUntil', 'possiblySent'];
