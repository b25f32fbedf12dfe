import { DomainError, ErrorCodes } from '@lib/contracts';

/** What a cursor holds: the sort keys of the last item of a page, as JSON values. */
export type CursorValues = Record<string, string | number | null>;

/** The keyset most lists use: a sort instant (createdAt unless the list says otherwise) and the id. */
export interface TimeIdPosition {
  c: Date;
  i: string;
}

/** What a cursor that this API did not issue raises, unless the caller names its own error. */
export function invalidCursor(): DomainError {
  return new DomainError(ErrorCodes.validation, 'Invalid cursor', { errors: [{ field: 'cursor', messages: ['not a cursor from this API'] }] });
}

/** An opaque cursor: the values as base64url JSON. */
export function encodeCursor(values: CursorValues): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * The values of a cursor, checked by `parse` (which returns null when they are not what this
 * list issues). Anything unreadable raises `invalid()`.
 */
export function decodeCursor<T>(cursor: string, parse: (values: Record<string, unknown>) => T | null, invalid: () => Error = invalidCursor): T {
  let parsed: T | null = null;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof values === 'object' && values !== null && !Array.isArray(values)) parsed = parse(values as Record<string, unknown>);
  } catch {
    // not base64url JSON: invalid below
  }
  if (parsed === null) throw invalid();
  return parsed;
}

export function encodeTimeIdCursor(at: Date, id: string): string {
  return encodeCursor({ c: at.toISOString(), i: id });
}

export function decodeTimeIdCursor(cursor: string, invalid?: () => Error): TimeIdPosition {
  return decodeCursor(
    cursor,
    ({ c, i }) => {
      const at = typeof c === 'string' ? new Date(c) : null;
      return at && !Number.isNaN(at.getTime()) && typeof i === 'string' ? { c: at, i } : null;
    },
    invalid,
  );
}

/**
 * The rows after a page's last one, in a list sorted by `field` then id, both descending (newest
 * first) or both ascending: `field` beyond the position, or equal to it with the id beyond. A
 * MikroORM (and MongoDB) filter.
 */
export function keysetAfter<F extends string>(field: F, position: TimeIdPosition, order: 'asc' | 'desc' = 'desc') {
  const beyond = order === 'desc' ? '$lt' : '$gt';
  return { $or: [{ [field]: { [beyond]: position.c } }, { [field]: position.c, id: { [beyond]: position.i } }] } as { $or: Record<string, unknown>[] };
}
