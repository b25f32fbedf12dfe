// Secondary index structures. Each index keeps a hash map from encoded key to the set of document
// ids (for equality, $in and unique checks) and a lazily sorted array of distinct leading-field keys
// (for range predicates). Queries still re-check every candidate with the full filter, so an index
// only has to return a superset of the matching documents — never miss one.
import { Query } from 'mingo';
import type { Document } from 'bson';
import { encodeValue, formatKeyValue, getPath, valuesAtPath } from './keys';
import { ErrorCodes, MongoCommandError } from './errors';

export type DocId = string;

export interface IndexSpec {
  v?: number;
  key: Record<string, unknown>;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  expireAfterSeconds?: number;
  partialFilterExpression?: Document;
  weights?: Record<string, number>;
  default_language?: string;
  language_override?: string;
  textIndexVersion?: number;
  [option: string]: unknown;
}

/** MongoDB's default index name: fields and directions joined by underscores ("name_1_age_-1"). */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([f, d]) => `${f}_${d}`)
    .join('_');
}

export const isTextSpec = (key: Record<string, unknown>): boolean => Object.values(key).includes('text');

export class DuplicateKeyError extends MongoCommandError {}

export interface Secondary {
  readonly spec: IndexSpec;
  add(id: DocId, doc: Document): void;
  remove(id: DocId, doc: Document): void;
  /** Throws DuplicateKeyError if inserting/updating `doc` as `id` would violate uniqueness. */
  check(id: DocId, doc: Document, ns: string): void;
  clear(): void;
}

const SEP = '\0\0';

export class BTreeLikeIndex implements Secondary {
  readonly fields: string[];
  private readonly paths: string[][];
  private readonly unique: boolean;
  private readonly sparse: boolean;
  private readonly partial: Query | null;
  /** full compound key → ids */
  private readonly entries = new Map<string, Set<DocId>>();
  /** leading-field key → ids; the same map as `entries` for single-field indexes. */
  private readonly leading: Map<string, Set<DocId>>;
  /** Distinct leading keys in order, rebuilt on demand after out-of-order inserts. */
  private sorted: string[] | null = [];
  /** Set once any document yields several keys for a field (an array): then range bounds must not be intersected. */
  multikey = false;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    this.unique = spec.unique === true || spec.name === '_id_';
    this.sparse = spec.sparse === true;
    this.partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression, {}) : null;
    this.leading = this.fields.length === 1 ? this.entries : new Map();
  }

  get size(): number {
    return this.entries.size;
  }

  private indexes(doc: Document): boolean {
    if (this.partial && !this.partial.test(doc)) return false;
    if (this.sparse && this.paths.every((p) => valuesAtPath(doc, p).every((v) => v === undefined))) return false;
    return true;
  }

  private perField(doc: Document): string[][] {
    return this.paths.map((p) => [...new Set(valuesAtPath(doc, p).map(encodeValue))]);
  }

  private fullKeys(per: string[][]): string[] {
    let keys = per[0];
    for (let i = 1; i < per.length; i++) {
      const next: string[] = [];
      for (const a of keys) for (const b of per[i]) next.push(a + SEP + b);
      keys = next;
    }
    return keys;
  }

  add(id: DocId, doc: Document): void {
    if (!this.indexes(doc)) return;
    const per = this.perField(doc);
    if (!this.multikey && per.some((keys) => keys.length > 1)) this.multikey = true;
    for (const k of this.fullKeys(per)) addTo(this.entries, k, id);
    if (this.leading !== this.entries) for (const k of per[0]) addTo(this.leading, k, id);
    for (const k of per[0]) this.noteLeading(k);
  }

  remove(id: DocId, doc: Document): void {
    if (!this.indexes(doc)) return;
    const per = this.perField(doc);
    for (const k of this.fullKeys(per)) removeFrom(this.entries, k, id);
    if (this.leading !== this.entries) for (const k of per[0]) removeFrom(this.leading, k, id);
    // Keys that became empty stay in `sorted` until the next rebuild; range scans skip them.
  }

  clear(): void {
    this.entries.clear();
    this.leading.clear();
    this.sorted = [];
  }

  /** Keeps the sorted key list valid for the common append-in-order case (ObjectIds, counters, dates). */
  private noteLeading(k: string): void {
    if (!this.sorted) return;
    const s = this.sorted;
    if (s.length === 0 || s[s.length - 1] < k) s.push(k);
    else if (s[s.length - 1] !== k && this.leading.get(k)?.size === 1) this.sorted = null;
  }

  check(id: DocId, doc: Document, ns: string): void {
    if (!this.unique || !this.indexes(doc)) return;
    for (const k of this.fullKeys(this.perField(doc))) {
      const ids = this.entries.get(k);
      if (!ids) continue;
      for (const other of ids) {
        if (other !== id) throw this.duplicate(doc, ns);
      }
    }
  }

  duplicate(doc: Document, ns: string): DuplicateKeyError {
    const keyValue: Document = {};
    for (const f of this.fields) keyValue[f] = getPath(doc, f) ?? null;
    const shown = this.fields.map((f) => `${f}: ${formatKeyValue(keyValue[f])}`).join(', ');
    return new DuplicateKeyError(
      ErrorCodes.DuplicateKey,
      `E11000 duplicate key error collection: ${ns} index: ${this.spec.name} dup key: { ${shown} }`,
      { keyPattern: { ...this.spec.key }, keyValue },
    );
  }

  /** Ids whose leading field equals any of the encoded values. */
  lookupEq(encoded: string[]): Set<DocId> {
    const out = new Set<DocId>();
    for (const k of encoded) {
      const ids = this.leading.get(k);
      if (ids) for (const id of ids) out.add(id);
    }
    return out;
  }

  /** Ids whose leading key lies in [low, high] (bounds optional, inclusivity per flag). */
  lookupRange(low: string | undefined, lowInc: boolean, high: string | undefined, highInc: boolean): Set<DocId> {
    if (!this.sorted) this.sorted = [...this.leading.keys()].sort();
    const s = this.sorted;
    let i = 0;
    if (low !== undefined) {
      let lo = 0;
      let hi = s.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (s[mid] < low || (!lowInc && s[mid] === low)) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const out = new Set<DocId>();
    for (; i < s.length; i++) {
      const k = s[i];
      if (high !== undefined && (k > high || (!highInc && k === high))) break;
      const ids = this.leading.get(k);
      if (ids) for (const id of ids) out.add(id);
    }
    if (s.length > 2 * this.leading.size + 1024) this.sorted = null; // drop accumulated dead keys
    return out;
  }
}

function addTo(map: Map<string, Set<DocId>>, k: string, id: DocId): void {
  const ids = map.get(k);
  if (ids) ids.add(id);
  else map.set(k, new Set([id]));
}

function removeFrom(map: Map<string, Set<DocId>>, k: string, id: DocId): void {
  const ids = map.get(k);
  if (!ids) return;
  ids.delete(id);
  if (ids.size === 0) map.delete(k);
}

// ---------------------------------------------------------------------------------------------
// Text index

const STOP_WORDS = new Set(
  ('a an and are as at be but by for from has have he her his i if in into is it its me my no not of on or our ' +
    'she so than that the their them then there these they this to was we were what when which who will with you your')
    .split(' '),
);

export function tokenize(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => !STOP_WORDS.has(t));
}

export interface TextSearch {
  terms: string[];
  negated: string[];
  phrases: string[];
}

export function parseSearch(search: string): TextSearch {
  const phrases: string[] = [];
  const rest = search.replace(/"([^"]*)"/g, (_, p: string) => {
    phrases.push(p.toLowerCase());
    return ' ';
  });
  const terms: string[] = [];
  const negated: string[] = [];
  for (const word of rest.split(/\s+/)) {
    if (!word) continue;
    if (word.startsWith('-')) negated.push(...tokenize(word.slice(1)));
    else terms.push(...tokenize(word));
  }
  for (const p of phrases) terms.push(...tokenize(p));
  return { terms: [...new Set(terms)], negated, phrases };
}

export class TextIndex implements Secondary {
  readonly weights: Record<string, number>;
  private readonly postings = new Map<string, Map<DocId, number>>();

  constructor(readonly spec: IndexSpec) {
    const weights: Record<string, number> = {};
    for (const [f, d] of Object.entries(spec.key)) if (d === 'text') weights[f] = 1;
    Object.assign(weights, spec.weights ?? {});
    this.weights = weights;
  }

  /** Per-term score following mongod's FTS formula: weight · Σ(1/2^i) · (0.5 + 0.5·count/numTokens). */
  private termScores(doc: Document): Map<string, number> {
    const scores = new Map<string, number>();
    for (const [field, weight] of Object.entries(this.weights)) {
      const values = field === '$**' ? allStrings(doc) : valuesAtPath(doc, field.split('.'));
      for (const raw of values) {
        if (typeof raw !== 'string') continue;
        const tokens = tokenize(raw);
        const counts = new Map<string, number>();
        for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
        for (const [t, count] of counts) {
          let freq = 0;
          for (let i = 0; i < count; i++) freq += 1 / 2 ** i;
          const coeff = 0.5 * (count / tokens.length) + 0.5;
          const exact = raw.toLowerCase() === t ? 1.1 : 1;
          scores.set(t, (scores.get(t) ?? 0) + weight * freq * coeff * exact);
        }
      }
    }
    return scores;
  }

  add(id: DocId, doc: Document): void {
    for (const [t, s] of this.termScores(doc)) {
      let p = this.postings.get(t);
      if (!p) this.postings.set(t, (p = new Map()));
      p.set(id, s);
    }
  }

  remove(id: DocId, doc: Document): void {
    for (const t of this.termScores(doc).keys()) {
      const p = this.postings.get(t);
      if (!p) continue;
      p.delete(id);
      if (p.size === 0) this.postings.delete(t);
    }
  }

  check(): void {}

  clear(): void {
    this.postings.clear();
  }

  /** Candidate ids with their score for the search's (OR-ed) terms. Phrases/negations are checked by the caller. */
  search(q: TextSearch): Map<DocId, number> {
    const out = new Map<DocId, number>();
    for (const t of q.terms) {
      const p = this.postings.get(t);
      if (p) for (const [id, s] of p) out.set(id, (out.get(id) ?? 0) + s);
    }
    return out;
  }

  /** The text of every indexed field, for phrase and negation checks. */
  textOf(doc: Document): string {
    const parts: string[] = [];
    for (const field of Object.keys(this.weights)) {
      const values = field === '$**' ? allStrings(doc) : valuesAtPath(doc, field.split('.'));
      for (const v of values) if (typeof v === 'string') parts.push(v.toLowerCase());
    }
    return parts.join('\n');
  }
}

function allStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) allStrings(x, out);
  else if (v && typeof v === 'object' && !(v as { _bsontype?: string })._bsontype && !(v instanceof Date)) {
    for (const x of Object.values(v)) allStrings(x, out);
  }
  return out;
}

/** How an index is reported by listIndexes: text indexes show mongod's internal _fts/_ftsx key. */
export function publicSpec(spec: IndexSpec): IndexSpec {
  if (!isTextSpec(spec.key)) return spec;
  const key: Record<string, unknown> = {};
  let textDone = false;
  for (const [f, d] of Object.entries(spec.key)) {
    if (d === 'text') {
      if (!textDone) Object.assign(key, { _fts: 'text', _ftsx: 1 });
      textDone = true;
    } else key[f] = d;
  }
  const weights: Record<string, number> = {};
  for (const [f, d] of Object.entries(spec.key)) if (d === 'text') weights[f] = 1;
  Object.assign(weights, spec.weights ?? {});
  return {
    ...spec,
    key,
    weights,
    default_language: spec.default_language ?? 'english',
    language_override: spec.language_override ?? 'language',
    textIndexVersion: 3,
  };
}
