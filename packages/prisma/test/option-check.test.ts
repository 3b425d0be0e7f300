/**
 * One option checker: the same mistake gets the same answer from the core and from every adapter —
 * UNKNOWN_OPTION naming the key, the closest known key and every known one — before anything is
 * opened or written.
 */
import { checkOptions, createQueue, MsgQueueError, memoryAdapter } from '@org/msgqueue';
import { prismaAdapter } from '@org/msgqueue-prisma';
import { type SqlClient, sqlAdapter } from '@org/msgqueue-sql';
import { drizzleAdapter } from '@org/msgqueue-sql/drizzle';
import { kyselyAdapter } from '@org/msgqueue-sql/kysely';
import { pgAdapter } from '@org/msgqueue-sql/pg';
import { describe, expect, it } from 'vitest';

const never = () => Promise.reject(new Error('no statement may run while options are checked'));
const client: SqlClient = { query: never, execute: never, transaction: never };
const prisma = { $queryRawUnsafe: never, $executeRawUnsafe: never, $transaction: never, $disconnect: never };
const kysely = { executeQuery: never };
const drizzle = { execute: never, transaction: never };

/** What an options object with `tabel` for `table` gets, thrown by `build`. */
function refusal(build: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    build();
  } catch (error) {
    expect(MsgQueueError.isInstance(error)).toBe(true);
    const e = error as MsgQueueError;
    return { code: e.code, field: e.field, message: e.message };
  }
  throw new Error('accepted an unknown option');
}

describe('the one option checker', () => {
  const typo = { tabel: 'outbox' };
  it.each([
    ['sqlAdapter', () => sqlAdapter(client, { dialect: 'postgresql', ...typo } as never)],
    ['pgAdapter', () => pgAdapter({ query: never } as never, typo as never)],
    ['kyselyAdapter', () => kyselyAdapter(kysely as never, { dialect: 'postgresql', ...typo } as never)],
    ['drizzleAdapter', () => drizzleAdapter(drizzle as never, { dialect: 'postgresql', ...typo } as never)],
    ['prismaAdapter', () => prismaAdapter(prisma as never, { dialect: 'postgresql', ...typo } as never)],
  ])('%s answers a misspelt option as checkOptions does', (_, build) => {
    const expected = refusal(() => checkOptions(typo, 'options', ['dialect', 'table', 'columns', 'statuses', 'lockTable']));
    const got = refusal(build);
    expect(got).toMatchObject({ code: 'UNKNOWN_OPTION', field: 'options.tabel' });
    expect(got.message).toContain('options.tabel: unknown option (did you mean "table"?)');
    expect(got.message.split('. Known options:')[0]).toBe(expected.message.split('. Known options:')[0]);
  });

  it('the mapping, the memory adapter and the queue say it the same way', () => {
    expect(refusal(() => sqlAdapter(client, { dialect: 'mysql', columns: { stauts: 'state' } } as never)).message).toMatch(
      /^options\.columns\.stauts: unknown option \(did you mean "status"\?\)\. Known options: id, /,
    );
    expect(refusal(() => sqlAdapter(client, { dialect: 'sqlite', statuses: { SEND: 'DONE' } } as never)).message).toMatch(
      /^options\.statuses\.SEND: unknown option \(did you mean "SENT"\?\)/,
    );
    expect(refusal(() => memoryAdapter({ clok: () => new Date() } as never))).toMatchObject({
      code: 'UNKNOWN_OPTION',
      message: expect.stringMatching(/^memoryAdapter\.options\.clok: unknown option \(did you mean "clock"\?\)/),
    });
    expect(refusal(() => createQueue({ adapter: memoryAdapter(), leasMs: 1000 } as never)).message).toMatch(
      /^options\.leasMs: unknown option \(did you mean "leaseMs"\?\)/,
    );
  });

  it('prismaAdapter names the dialect as every adapter does, pointing at the schema', () => {
    expect(refusal(() => prismaAdapter(prisma as never, { dialect: 'oracle' } as never))).toMatchObject({
      code: 'INVALID_MAPPING',
      field: 'options.dialect',
      message: expect.stringContaining('the provider of your schema.prisma datasource'),
    });
    expect(refusal(() => prismaAdapter(prisma as never, { provider: 'postgresql' } as never))).toMatchObject({
      code: 'UNKNOWN_OPTION',
      field: 'options.provider',
    });
  });
});
