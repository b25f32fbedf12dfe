/** The UTM parameters a campaign may set, in the order they are appended to a link. */
export const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
export type UtmKey = (typeof UTM_KEYS)[number];
export type UtmParams = Partial<Record<UtmKey, string>>;

/**
 * The parameters a campaign's links get on one network: `utm_source` is the network (lower-case)
 * unless the campaign sets it. A fixed key order keeps the text stable whatever order the JSON
 * column hands the keys back in (jsonb reorders them), so the text validated is the text sent.
 */
export function utmFor(campaign: Readonly<Record<string, string>>, network: string): [UtmKey, string][] {
  const merged: UtmParams = { utm_source: network.toLowerCase(), ...pick(campaign) };
  return UTM_KEYS.filter((k) => merged[k]).map((k) => [k, merged[k]!]);
}

function pick(params: Readonly<Record<string, string>>): UtmParams {
  const out: UtmParams = {};
  for (const k of UTM_KEYS) if (typeof params[k] === 'string' && params[k]) out[k] = params[k];
  return out;
}

/**
 * One link with the parameters added. The link is kept as written (no re-encoding of its
 * query, no normalisation of its host or path): the parameters are appended to its query, before
 * any fragment. A parameter the link already carries (any case) is left as the author set it.
 * Anything that is not an absolute http(s) URL is returned unchanged.
 */
export function tagLink(link: string, params: readonly [string, string][]): string {
  if (!params.length || !/^https?:\/\//i.test(link)) return link;
  try {
    if (!new URL(link).host) return link;
  } catch {
    return link;
  }
  const hashAt = link.indexOf('#');
  const beforeHash = hashAt === -1 ? link : link.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : link.slice(hashAt);
  const queryAt = beforeHash.indexOf('?');
  const query = queryAt === -1 ? '' : beforeHash.slice(queryAt + 1);
  const present = new Set([...new URLSearchParams(query).keys()].map((k) => k.toLowerCase()));
  const added = params.filter(([k]) => !present.has(k.toLowerCase())).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  if (!added.length) return link;
  const joiner = queryAt === -1 ? '?' : query === '' || query.endsWith('&') ? '' : '&';
  return `${beforeHash}${joiner}${added.join('&')}${fragment}`;
}

// A URL runs to the next whitespace or to a character that cannot be in one unescaped.
const LINK_RE = /\bhttps?:\/\/[^\s<>"`]+/gi;
// Punctuation that ends a sentence rather than the URL ("see https://x.io/a.").
const TRAILING = /[.,;:!?'…»”’]+$/u;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Where the URL really ends: trailing punctuation and an unbalanced closing bracket are text. */
function trimLink(candidate: string): string {
  let s = candidate;
  for (;;) {
    const before = s;
    s = s.replace(TRAILING, '');
    const last = s[s.length - 1];
    const opener = last ? CLOSERS[last] : undefined;
    if (opener && count(s, opener) < count(s, last)) s = s.slice(0, -1);
    if (s === before) return s;
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** Every http(s) link in the text, tagged with `params`; everything else stays as it was. */
export function tagLinks(text: string, params: readonly [string, string][]): string {
  if (!params.length) return text;
  return text.replace(LINK_RE, (candidate) => {
    const link = trimLink(candidate);
    return tagLink(link, params) + candidate.slice(link.length);
  });
}
