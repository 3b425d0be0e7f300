/** Which driver errors the engine runs a statement or transaction again for: aborted, safe to retry. */
import { isDeadlock, isSerializationFailure } from '@org/msgqueue-sql';
import { describe, expect, it } from 'vitest';

describe('errors that mean "run it again"', () => {
  it('a PostgreSQL serialization failure or deadlock, from node-postgres, Prisma, or wrapped', () => {
    expect(
      isSerializationFailure({ code: '40001', message: 'could not serialize access due to read/write dependencies among transactions' }),
    ).toBe(true);
    expect(isSerializationFailure({ code: '40P01', message: 'deadlock detected' })).toBe(true);
    expect(
      isSerializationFailure({
        code: 'P2034',
        message: 'Transaction failed due to a write conflict or a deadlock. Please retry your transaction',
      }),
    ).toBe(true);
    expect(
      isSerializationFailure({ code: 'P2010', message: 'Raw query failed. Code: `40001`. Message: `could not serialize access`' }),
    ).toBe(true);
    expect(isSerializationFailure(new Error('claim failed', { cause: { code: '40001' } }))).toBe(true);
  });

  it('nothing else: a constraint, a lost connection, a MySQL deadlock (that is isDeadlock)', () => {
    expect(isSerializationFailure({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe(false);
    expect(isSerializationFailure(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isSerializationFailure(null)).toBe(false);
    expect(isSerializationFailure({ errno: 1213, code: 'ER_LOCK_DEADLOCK' })).toBe(false);
    expect(isDeadlock({ errno: 1213, code: 'ER_LOCK_DEADLOCK' })).toBe(true);
  });
});
