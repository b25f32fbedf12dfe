// Rewrites aggregation pipelines where mingo's semantics differ from MongoDB's, using only public
// operators so mingo itself stays untouched.
//
// { $meta: "textScore" } (mingo has no $meta): when the pipeline starts with a $text $match, the
// caller copies each score into a hidden field and we rewrite $meta references to that field.
//
// $push / $addToSet of a field path: MongoDB skips documents where the field is missing, mingo pushes
// null. We push a sentinel for "missing" and filter it out right after the $group.
import type { Document } from 'bson';

const MISSING = '\u0000mongo-embedded:missing\u0000';
export const TEXT_SCORE_FIELD = '__mongoEmbeddedTextScore';

const isTextMeta = (v: unknown): boolean =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && (v as Document).$meta === 'textScore';

/** Replaces every { $meta: "textScore" } expression by a reference to the hidden score field. */
function rewriteMeta(v: unknown): unknown {
  if (isTextMeta(v)) return `$${TEXT_SCORE_FIELD}`;
  if (Array.isArray(v)) return v.map(rewriteMeta);
  if (v && typeof v === 'object' && !(v instanceof Date) && !(v as { _bsontype?: string })._bsontype && !(v instanceof RegExp)) {
    const out: Document = {};
    for (const [k, x] of Object.entries(v)) out[k] = rewriteMeta(x);
    return out;
  }
  return v;
}

/** For pipelines fed by a $text match: $meta → hidden field, and the field is dropped from the output. */
export function withTextScore(pipeline: Document[]): Document[] {
  const out = pipeline.map((stage) => {
    if (stage.$sort) {
      const sort: Document = {};
      for (const [k, dir] of Object.entries(stage.$sort as Document)) {
        if (isTextMeta(dir)) sort[TEXT_SCORE_FIELD] = -1;
        else sort[k] = dir;
      }
      return { $sort: sort };
    }
    return rewriteMeta(stage) as Document;
  });
  // Harmless when a stage such as $group already dropped the field.
  out.push({ $unset: TEXT_SCORE_FIELD });
  return out;
}

function adaptGroup(spec: Document): { group: Document; cleanup: Document | null } {
  const group: Document = {};
  const cleanup: Document = {};
  for (const [field, acc] of Object.entries(spec)) {
    const op = acc && typeof acc === 'object' ? Object.keys(acc as Document)[0] : undefined;
    const expr = op ? (acc as Document)[op] : undefined;
    if ((op === '$push' || op === '$addToSet') && typeof expr === 'string' && expr.startsWith('$') && !expr.startsWith('$$')) {
      group[field] = { [op]: { $cond: [{ $eq: [{ $type: expr }, 'missing'] }, MISSING, expr] } };
      cleanup[field] = { $filter: { input: `$${field}`, cond: { $ne: ['$$this', MISSING] } } };
    } else {
      group[field] = acc;
    }
  }
  return { group, cleanup: Object.keys(cleanup).length ? cleanup : null };
}

export function adaptPipeline(pipeline: Document[]): Document[] {
  const out: Document[] = [];
  for (const stage of pipeline) {
    const op = stage && typeof stage === 'object' ? Object.keys(stage)[0] : undefined;
    if (op === '$group') {
      const { group, cleanup } = adaptGroup(stage.$group as Document);
      out.push({ $group: group });
      if (cleanup) out.push({ $set: cleanup });
    } else if (op === '$facet') {
      const facets: Document = {};
      for (const [k, sub] of Object.entries(stage.$facet as Document)) facets[k] = Array.isArray(sub) ? adaptPipeline(sub as Document[]) : sub;
      out.push({ $facet: facets });
    } else if (op === '$lookup' && Array.isArray((stage.$lookup as Document).pipeline)) {
      const lookup = stage.$lookup as Document;
      out.push({ $lookup: { ...lookup, pipeline: adaptPipeline(lookup.pipeline as Document[]) } });
    } else {
      out.push(stage);
    }
  }
  return out;
}
