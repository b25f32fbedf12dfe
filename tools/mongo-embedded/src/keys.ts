// Order-preserving string encoding of BSON values. Index structures and sorting compare these
// strings with plain `<`, which reproduces MongoDB's cross-type ordering
// (MinKey < null < numbers < strings < objects < arrays < binData < ObjectId < bool < Date < Timestamp < RegExp < MaxKey)
// and numeric equality across int32/int64/double (1 == 1.0 == Long(1)), as MongoDB's index keys do.
import { EJSON } from 'bson';
import type { Binary, Decimal128, Long, ObjectId, Timestamp } from 'bson';

const f64 = new Float64Array(1);
const u8 = new Uint8Array(f64.buffer);

function encodeNumber(n: number): string {
  if (Number.isNaN(n)) return '\x02' + '0'.repeat(16); // NaN sorts below every number in MongoDB
  f64[0] = n === 0 ? 0 : n; // -0 and 0 are the same key
  let hex = '';
  // Big-endian bytes; flip the sign bit for positives and every bit for negatives so that
  // lexicographic order of the hex matches numeric order.
  const negative = (u8[7] & 0x80) !== 0;
  for (let i = 7; i >= 0; i--) {
    let b = u8[i];
    b = negative ? ~b & 0xff : i === 7 ? b ^ 0x80 : b;
    hex += (b < 16 ? '0' : '') + b.toString(16);
  }
  return '\x02' + '1' + hex;
}

/** Strings may contain NUL; escape it so the compound-key separator ("\0\0") stays unambiguous. */
const escape = (s: string): string => (s.includes('\0') ? s.replace(/\0/g, '\0\x01') : s);

function typeName(v: unknown): string | undefined {
  return v !== null && typeof v === 'object' ? (v as { _bsontype?: string })._bsontype : undefined;
}

export function encodeValue(v: unknown): string {
  if (v === undefined || v === null) return '\x01';
  switch (typeof v) {
    case 'number':
      return encodeNumber(v);
    case 'bigint':
      return encodeNumber(Number(v));
    case 'string':
      return '\x03' + escape(v);
    case 'boolean':
      return v ? '\x081' : '\x080';
    default:
  }
  if (v instanceof Date) return '\x09' + encodeNumber(v.getTime());
  if (v instanceof RegExp) return '\x0b' + escape(String(v));
  if (Array.isArray(v)) return '\x05' + v.map(encodeValue).join('\0\x02');
  switch (typeName(v)) {
    case 'ObjectId':
      return '\x07' + (v as ObjectId).toHexString();
    case 'Long':
      return encodeNumber((v as Long).toNumber());
    case 'Int32':
    case 'Double':
      return encodeNumber((v as { valueOf(): number }).valueOf());
    case 'Decimal128':
      return encodeNumber(Number((v as Decimal128).toString()));
    case 'Binary':
      return '\x06' + (v as Binary).toString('hex');
    case 'Timestamp':
      return '\x0a' + (v as Timestamp).toString();
    case 'MinKey':
      return '\x00';
    case 'MaxKey':
      return '\x7f';
    default:
  }
  // Embedded documents: field order matters in MongoDB equality, which EJSON preserves.
  return '\x04' + escape(EJSON.stringify(v as object, { relaxed: false }));
}

/**
 * All values reachable at a dotted path, descending into arrays the way MongoDB's multikey
 * indexes do ("tags" → each element, "items.sku" → the sku of every item). Missing → [undefined].
 */
export function valuesAtPath(doc: unknown, path: string[], i = 0): unknown[] {
  if (i === path.length) {
    return Array.isArray(doc) ? (doc.length === 0 ? [undefined] : doc) : [doc];
  }
  if (Array.isArray(doc)) {
    const out: unknown[] = [];
    for (const el of doc) if (el !== null && typeof el === 'object') out.push(...valuesAtPath(el, path, i));
    // A numeric path component may also address an array position ("items.0.sku").
    if (/^\d+$/.test(path[i])) out.push(...valuesAtPath(doc[Number(path[i])], path, i + 1));
    return out.length ? out : [undefined];
  }
  if (doc === null || typeof doc !== 'object') return [undefined];
  return valuesAtPath((doc as Record<string, unknown>)[path[i]], path, i + 1);
}

/** Value at a dotted path without array fan-out (used for error messages and upsert seeds). */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Renders a value the way mongod prints it in duplicate-key messages: { name: "x" }. */
export function formatKeyValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (typeName(v) === 'ObjectId') return `ObjectId('${(v as ObjectId).toHexString()}')`;
  if (typeName(v) === 'Long') return (v as Long).toString();
  return EJSON.stringify(v as object);
}
