// One collection: documents keyed by their encoded _id, its indexes, and query execution
// (index selection, filtering with mingo, sorting, text scoring). Every method is synchronous so a
// command's read-modify-write runs atomically on the single JS thread: that is what serializes
// concurrent operations on a collection.
import { Query } from 'mingo';
import type { Document } from 'bson';
import { encodeValue, valuesAtPath } from './keys';
import { BTreeLikeIndex, TextIndex, isTextSpec, parseSearch } from './indexes';
import type { DocId, IndexSpec, Secondary } from './indexes';
import { ErrorCodes, MongoCommandError, badValue, fromMingoError } from './errors';

/** Process-wide counters, exposed through serverStatus and explain so tests can see index use. */
export const metrics = { docsExamined: 0, keysExamined: 0, collectionScans: 0, indexScans: 0 };

export interface SelectOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
}

export interface Selection {
  docs: Document[];
  /** textScore per returned document, when the filter had $text. */
  scores?: Map<Document, number>;
  plan: { stage: 'COLLSCAN' | 'IXSCAN' | 'TEXT' | 'IDHACK'; indexName?: string };
  docsExamined: number;
  keysExamined: number;
}

const mingoOptions = {};

export function compileFilter(filter: Document): Query | null {
  if (!filter || Object.keys(filter).length === 0) return null;
  try {
    return new Query(filter, mingoOptions);
  } catch (err) {
    throw fromMingoError(err);
  }
}

/** Values an index can look up: scalars and BSON leaf types, not documents/arrays/regexes. */
function isScalar(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return v !== undefined;
  if (Array.isArray(v) || v instanceof RegExp) return false;
  return v instanceof Date || typeof (v as { _bsontype?: string })._bsontype === 'string';
}

interface FieldCondition {
  eq?: string[];
  low?: { key: string; inc: boolean };
  high?: { key: string; inc: boolean };
}

/** Extracts index-usable predicates from the top level of a filter (and of top-level $and). */
function analyze(filter: Document, out = new Map<string, FieldCondition[]>()): Map<string, FieldCondition[]> {
  for (const [field, cond] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(cond)) {
      for (const sub of cond) if (sub && typeof sub === 'object') analyze(sub as Document, out);
      continue;
    }
    if (field.startsWith('$')) continue;
    const list = out.get(field) ?? [];
    if (isScalar(cond)) list.push({ eq: [encodeValue(cond)] });
    else if (cond && typeof cond === 'object' && !Array.isArray(cond) && !(cond instanceof RegExp)) {
      const ops = cond as Document;
      const c: FieldCondition = {};
      if ('$eq' in ops && isScalar(ops.$eq)) c.eq = [encodeValue(ops.$eq)];
      if (Array.isArray(ops.$in) && ops.$in.every(isScalar)) c.eq = ops.$in.map(encodeValue);
      for (const op of ['$gt', '$gte'] as const) if (op in ops && isScalar(ops[op])) c.low = { key: encodeValue(ops[op]), inc: op === '$gte' };
      for (const op of ['$lt', '$lte'] as const) if (op in ops && isScalar(ops[op])) c.high = { key: encodeValue(ops[op]), inc: op === '$lte' };
      if (c.eq || c.low || c.high) list.push(c);
    }
    if (list.length) out.set(field, list);
  }
  return out;
}

export class Collection {
  readonly docs = new Map<DocId, Document>();
  readonly indexes = new Map<string, Secondary>();
  private textIndex: TextIndex | null = null;

  constructor(
    readonly db: string,
    readonly name: string,
    public options: Document,
    readonly uuid: string,
  ) {
    this.indexes.set('_id_', new BTreeLikeIndex({ v: 2, key: { _id: 1 }, name: '_id_' }));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get indexSpecs(): IndexSpec[] {
    return [...this.indexes.values()].map((i) => i.spec);
  }

  // ---------------------------------------------------------------- writes

  insert(doc: Document): DocId {
    const id = encodeValue(doc._id);
    // Index checks ignore a document's own id (an update keeps it), so a new document whose
    // _id is taken must be refused here.
    if (this.docs.has(id)) throw (this.indexes.get('_id_') as BTreeLikeIndex).duplicate(doc, this.ns);
    for (const idx of this.indexes.values()) idx.check(id, doc, this.ns);
    this.docs.set(id, doc);
    for (const idx of this.indexes.values()) idx.add(id, doc);
    return id;
  }

  /** Replaces a stored document by a new version with the same _id (documents are never mutated in place). */
  replace(id: DocId, next: Document): void {
    const prev = this.docs.get(id);
    if (!prev) throw new MongoCommandError(ErrorCodes.InternalError, 'document vanished during update');
    for (const idx of this.indexes.values()) idx.check(id, next, this.ns);
    for (const idx of this.indexes.values()) idx.remove(id, prev);
    this.docs.set(id, next);
    for (const idx of this.indexes.values()) idx.add(id, next);
  }

  remove(id: DocId): Document | undefined {
    const prev = this.docs.get(id);
    if (!prev) return undefined;
    for (const idx of this.indexes.values()) idx.remove(id, prev);
    this.docs.delete(id);
    return prev;
  }

  /** Recovery path: put a document image in place whether or not it exists (journal replay is idempotent). */
  put(doc: Document): void {
    const id = encodeValue(doc._id);
    if (this.docs.has(id)) this.remove(id);
    this.docs.set(id, doc);
    for (const idx of this.indexes.values()) idx.add(id, doc);
  }

  clear(): void {
    this.docs.clear();
    for (const idx of this.indexes.values()) idx.clear();
  }

  // ---------------------------------------------------------------- indexes

  findIndexByKey(key: Record<string, unknown>): Secondary | undefined {
    const wanted = JSON.stringify(key);
    for (const idx of this.indexes.values()) if (JSON.stringify(idx.spec.key) === wanted) return idx;
    return undefined;
  }

  /**
   * Builds an index over existing documents. Returns false when an identical index already exists
   * (createIndexes is idempotent, and ORMs call it on every start).
   */
  createIndex(spec: IndexSpec, enforceUnique = true): boolean {
    const same = this.indexes.get(spec.name);
    const byKey = this.findIndexByKey(spec.key);
    if (same) {
      if (JSON.stringify(same.spec.key) !== JSON.stringify(spec.key)) {
        throw new MongoCommandError(
          ErrorCodes.IndexKeySpecsConflict,
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(same.spec)}`,
        );
      }
      if (!!same.spec.unique !== !!spec.unique || same.spec.expireAfterSeconds !== spec.expireAfterSeconds) {
        throw new MongoCommandError(
          ErrorCodes.IndexOptionsConflict,
          `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(same.spec)}`,
        );
      }
      return false;
    }
    // mongod allows two indexes on one key pattern only when they differ in partial filter (or collation).
    if (byKey && !isTextSpec(spec.key) && !spec.partialFilterExpression && !byKey.spec.partialFilterExpression) {
      const sameOptions = !!byKey.spec.unique === !!spec.unique && byKey.spec.expireAfterSeconds === spec.expireAfterSeconds;
      throw new MongoCommandError(
        ErrorCodes.IndexOptionsConflict,
        sameOptions
          ? `Index already exists with a different name: ${byKey.spec.name}`
          : `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byKey.spec)}`,
      );
    }
    let idx: Secondary;
    if (isTextSpec(spec.key)) {
      if (this.textIndex) {
        throw new MongoCommandError(
          ErrorCodes.IndexOptionsConflict,
          `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(this.textIndex.spec)}`,
        );
      }
      idx = new TextIndex(spec);
    } else {
      for (const [f, d] of Object.entries(spec.key)) {
        if (d !== 1 && d !== -1 && typeof d !== 'string') throw new MongoCommandError(ErrorCodes.CannotCreateIndex, `Values in the index key pattern can contain only positive or negative numbers: ${f}`);
      }
      idx = new BTreeLikeIndex(spec);
    }
    for (const [id, doc] of this.docs) {
      if (enforceUnique) idx.check(id, doc, this.ns);
      idx.add(id, doc);
    }
    this.indexes.set(spec.name, idx);
    if (idx instanceof TextIndex) this.textIndex = idx;
    return true;
  }

  dropIndex(name: string): void {
    const idx = this.indexes.get(name);
    if (!idx) throw new MongoCommandError(ErrorCodes.IndexNotFound, `index not found with name [${name}]`);
    if (name === '_id_') throw new MongoCommandError(ErrorCodes.InvalidOptions, 'cannot drop _id index');
    this.indexes.delete(name);
    if (idx === this.textIndex) this.textIndex = null;
  }

  // ---------------------------------------------------------------- reads

  /** Chooses the candidate id set: the smallest index lookup, or null for a collection scan. */
  private plan(filter: Document): { ids: Set<DocId>; indexName: string } | null {
    const conds = analyze(filter);
    let best: { ids: Set<DocId>; indexName: string } | null = null;
    // A top-level $or can use indexes when every branch can: the union of the branches' candidates.
    if (Array.isArray(filter.$or) && filter.$or.length > 0) {
      const union = new Set<DocId>();
      const names = new Set<string>();
      let usable = true;
      for (const branch of filter.$or as Document[]) {
        const p = branch && typeof branch === 'object' ? this.plan(branch) : null;
        if (!p) {
          usable = false;
          break;
        }
        for (const id of p.ids) union.add(id);
        names.add(p.indexName);
      }
      if (usable) best = { ids: union, indexName: [...names].join(',') };
    }
    if (conds.size === 0) return best;
    for (const idx of this.indexes.values()) {
      if (!(idx instanceof BTreeLikeIndex) || idx.spec.sparse || idx.spec.partialFilterExpression) continue;
      const list = conds.get(idx.fields[0]);
      if (!list) continue;
      for (const c of list) {
        let ids: Set<DocId>;
        if (c.eq) ids = idx.lookupEq(c.eq);
        else {
          // Restrict a one-sided range to values of the bound's BSON type, as mongod's bounds do.
          // Both bounds are intersected only for the first condition object, which MongoDB also
          // applies to a single value; an array field could satisfy $gt and $lt with different elements,
          // so for those only the lower bound is used.
          const low = c.low ?? (c.high ? { key: c.high.key[0], inc: true } : undefined);
          const high = c.high && !(c.low && idx.multikey) ? c.high : c.low ? { key: String.fromCharCode(c.low.key.charCodeAt(0) + 1), inc: false } : undefined;
          ids = idx.lookupRange(low?.key, low?.inc ?? true, high?.key, high?.inc ?? true);
        }
        if (!best || ids.size < best.ids.size) best = { ids, indexName: idx.spec.name };
      }
    }
    return best;
  }

  select(filter: Document, opts: SelectOptions = {}, textMeta = false): Selection {
    filter = filter ?? {};
    let scoreById: Map<DocId, number> | undefined;
    let candidates: Iterable<[DocId, Document]> | Iterable<DocId>;
    let plan: Selection['plan'];
    let keysExamined = 0;
    let rest = filter;
    let textCheck: ((doc: Document) => boolean) | null = null;
    if ('$text' in filter) {
      const text = this.textIndex;
      if (!text) throw new MongoCommandError(ErrorCodes.IndexNotFound, 'text index required for $text query');
      const spec = filter.$text as Document;
      if (!spec || typeof spec.$search !== 'string') throw badValue('$search needs a String');
      const search = parseSearch(spec.$search);
      scoreById = text.search(search);
      candidates = scoreById.keys();
      keysExamined = scoreById.size;
      plan = { stage: 'TEXT', indexName: text.spec.name };
      const { $text: _t, ...others } = filter;
      rest = others;
      if (search.phrases.length || search.negated.length) {
        textCheck = (doc) => {
          const body = text.textOf(doc);
          const tokens = new Set(body.match(/[\p{L}\p{N}]+/gu) ?? []);
          return search.phrases.every((p) => body.includes(p)) && search.negated.every((n) => !tokens.has(n));
        };
      }
    } else {
      const chosen = this.plan(filter);
      if (chosen) {
        candidates = chosen.ids;
        keysExamined = chosen.ids.size;
        plan = { stage: chosen.indexName === '_id_' && filter._id !== undefined ? 'IDHACK' : 'IXSCAN', indexName: chosen.indexName };
        metrics.indexScans++;
      } else {
        candidates = this.docs;
        plan = { stage: 'COLLSCAN' };
        metrics.collectionScans++;
      }
    }
    const query = compileFilter(rest);
    const docs: Document[] = [];
    let examined = 0;
    const skip = opts.skip ?? 0;
    // Without a sort, the scan can stop as soon as skip+limit matches are found.
    const stopAt = !opts.sort && opts.limit ? skip + opts.limit : Infinity;
    const scores = scoreById ? new Map<Document, number>() : undefined;
    for (const entry of candidates) {
      const doc = typeof entry === 'string' ? this.docs.get(entry) : entry[1];
      if (!doc) continue;
      examined++;
      if (query && !safeTest(query, doc)) continue;
      if (textCheck && !textCheck(doc)) continue;
      docs.push(doc);
      if (scores && typeof entry === 'string') scores.set(doc, scoreById!.get(entry)!);
      if (docs.length >= stopAt) break;
    }
    metrics.docsExamined += examined;
    metrics.keysExamined += keysExamined;
    let out = docs;
    if (opts.sort && Object.keys(opts.sort).length) out = sortDocs(out, opts.sort, scores);
    else if (scores && textMeta) out = out.slice().sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0));
    if (skip || opts.limit) out = out.slice(skip, opts.limit ? skip + opts.limit : undefined);
    return { docs: out, scores, plan, docsExamined: examined, keysExamined };
  }
}

function safeTest(q: Query, doc: Document): boolean {
  try {
    return q.test(doc);
  } catch (err) {
    throw fromMingoError(err);
  }
}

/** Sort key for one field: MongoDB sorts arrays by their smallest (asc) or largest (desc) element. */
function sortKey(doc: Document, field: string, dir: number): string {
  const values = valuesAtPath(doc, field.split('.')).map(encodeValue);
  if (values.length === 1) return values[0];
  values.sort();
  return dir > 0 ? values[0] : values[values.length - 1];
}

export function sortDocs(docs: Document[], sort: Document, scores?: Map<Document, number>): Document[] {
  // { $natural: ±1 } is storage order, which is our insertion order.
  if ('$natural' in sort && Object.keys(sort).length === 1) return Number(sort.$natural) < 0 ? docs.slice().reverse() : docs;
  const fields = Object.entries(sort).map(([field, spec]) => {
    if (spec && typeof spec === 'object' && (spec as Document).$meta === 'textScore') return { field, dir: 0 };
    const dir = Number(spec);
    if (dir !== 1 && dir !== -1) throw badValue(`$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    return { field, dir };
  });
  const keyed = docs.map((doc) => ({
    doc,
    keys: fields.map((f) => (f.dir === 0 ? scores?.get(doc) ?? 0 : sortKey(doc, f.field, f.dir))),
  }));
  keyed.sort((a, b) => {
    for (let i = 0; i < fields.length; i++) {
      const x = a.keys[i];
      const y = b.keys[i];
      if (x === y) continue;
      if (fields[i].dir === 0) return (y as number) - (x as number); // textScore: highest first
      return (x < y ? -1 : 1) * fields[i].dir;
    }
    return 0;
  });
  return keyed.map((k) => k.doc);
}
