import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsIn, IsOptional, validateSync } from 'class-validator';
import { DomainError } from '@lib/contracts';
import { decodeCursor, decodeTimeIdCursor, encodeCursor, encodeTimeIdCursor, invalidCursor, keysetAfter } from './cursor';
import { PageRequest } from './page.request';

const b64 = (s: string) => Buffer.from(s).toString('base64url');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

describe('cursors', () => {
  it('round-trip their values as opaque base64url JSON', () => {
    const cursor = encodeCursor({ s: 42, p: null, x: 'a' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).toEqual({ s: 42, p: null, x: 'a' });
    expect(decodeCursor(cursor, (v) => (typeof v.s === 'number' ? v.s : null))).toBe(42);
  });

  it('raise the API’s validation error for anything it did not issue', () => {
    for (const bad of ['junk', '', b64('null'), b64('[1]'), b64('"s"'), b64('{"s":"1"}'), encodeCursor({ t: 1 })]) {
      const err = thrown(() => decodeCursor(bad, (v) => (typeof v.s === 'number' ? v.s : null)));
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: 'COMMON.VALIDATION_FAILED', message: 'Invalid cursor', details: { errors: [{ field: 'cursor', messages: ['not a cursor from this API'] }] } });
    }
    expect(invalidCursor()).toMatchObject({ code: 'COMMON.VALIDATION_FAILED' });
  });

  it('raise the error a list names instead, when it has its own', () => {
    const own = () => new DomainError('AUTH.CURSOR_INVALID', 'nope');
    expect(thrown(() => decodeCursor('junk', () => 1, own))).toMatchObject({ code: 'AUTH.CURSOR_INVALID' });
    expect(thrown(() => decodeTimeIdCursor('junk', own))).toMatchObject({ code: 'AUTH.CURSOR_INVALID' });
  });

  it('carry the (instant, id) keyset', () => {
    const at = new Date('2026-03-01T10:00:00.123Z');
    const cursor = encodeTimeIdCursor(at, 'b7c1d3e2-0000-4000-8000-000000000001');
    expect(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).toEqual({ c: '2026-03-01T10:00:00.123Z', i: 'b7c1d3e2-0000-4000-8000-000000000001' });
    expect(decodeTimeIdCursor(cursor)).toEqual({ c: at, i: 'b7c1d3e2-0000-4000-8000-000000000001' });
    for (const bad of [encodeCursor({ c: 'yesterday', i: 'x' }), encodeCursor({ c: at.toISOString() }), encodeCursor({ c: 5, i: 'x' }), encodeCursor({ i: 'x' })]) {
      expect(thrown(() => decodeTimeIdCursor(bad))).toMatchObject({ code: 'COMMON.VALIDATION_FAILED', message: 'Invalid cursor' });
    }
  });
});

class ListThingsRequest extends PageRequest {
  @IsOptional()
  @IsIn(['A', 'B'])
  kind?: string;
}

function check(input: Record<string, unknown>): { value: ListThingsRequest; failed: string[] } {
  const value = plainToInstance(ListThingsRequest, input);
  return { value, failed: validateSync(value, { whitelist: true, forbidNonWhitelisted: true }).map((e) => e.property) };
}

describe('PageRequest', () => {
  it('gives a subclass its limit and cursor, converted and checked, beside its own fields', () => {
    expect(check({})).toEqual({ value: expect.any(ListThingsRequest), failed: [] });
    const ok = check({ limit: '25', cursor: 'abc', kind: 'A' });
    expect(ok.failed).toEqual([]);
    expect({ ...ok.value }).toEqual({ limit: 25, cursor: 'abc', kind: 'A' });
  });

  it('refuses a limit outside 1..100 or not an integer, and a cursor longer than 200', () => {
    for (const limit of ['0', '101', '1.5', 'x']) expect(check({ limit }).failed).toEqual(['limit']);
    expect(check({ limit: '100' }).failed).toEqual([]);
    expect(check({ cursor: 'x'.repeat(201) }).failed).toEqual(['cursor']);
    expect(check({ cursor: 5 }).failed).toEqual(['cursor']);
    expect(check({ kind: 'C', other: 1 }).failed.sort()).toEqual(['kind', 'other']);
  });
});

describe('keysetAfter', () => {
  const at = { c: new Date('2026-11-26T10:00:00Z'), i: '01a2160a-0906-71e9-89da-ab1c4a32c921' };

  it('continues a newest-first list: older instants, or the same instant with a smaller id', () => {
    expect(keysetAfter('createdAt', at)).toEqual({ $or: [{ createdAt: { $lt: at.c } }, { createdAt: at.c, id: { $lt: at.i } }] });
  });

  it('continues an ascending list the other way, on the field it is sorted by', () => {
    expect(keysetAfter('scheduledAt', at, 'asc')).toEqual({ $or: [{ scheduledAt: { $gt: at.c } }, { scheduledAt: at.c, id: { $gt: at.i } }] });
  });
});
