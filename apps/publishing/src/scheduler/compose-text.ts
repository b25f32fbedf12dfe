import type { PostContent } from '../posts/post.entity';

/**
 * The text that goes to one network: the post's content with that network's overrides, its
 * hashtags added where the text does not already carry them, and the link (with its UTM
 * parameters) at the end.
 */
export function composeText(content: PostContent, override: Partial<PostContent> | null, link?: string | null): string {
  const c = { ...content, ...(override ?? {}) };
  let text = c.text.trim();
  const tags = (c.hashtags ?? []).map((h) => `#${h.replace(/^#/, '')}`).filter((h) => !new RegExp(`(^|\\s)${escape(h)}(\\s|$)`, 'i').test(text));
  if (tags.length) text = `${text} ${tags.join(' ')}`;
  const url = link ?? c.link;
  if (url && !text.includes(url)) text = `${text}\n${url}`;
  return text;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `utm_source` is the network unless the campaign sets it. */
export function withUtm(link: string, utm: Record<string, string>, network: string): string {
  if (!Object.keys(utm).length) return link;
  const u = new URL(link);
  const params = { utm_source: network.toLowerCase(), ...utm };
  for (const [k, v] of Object.entries(params)) if (k.startsWith('utm_') && v) u.searchParams.set(k, v);
  return u.toString();
}
