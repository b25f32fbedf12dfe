import type { PostContent } from '../posts/post.entity';
import { tagLink, tagLinks, utmFor } from '../campaigns/utm-links';

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

/** `utm_source` is the network unless the campaign sets it (rules: campaigns/utm-links.ts). */
export function withUtm(link: string, utm: Record<string, string>, network: string): string {
  if (!Object.keys(utm).length) return link;
  return tagLink(link, utmFor(utm, network));
}

/**
 * The exact text sent to one network, and so the text validated when the post is scheduled:
 * composed, then every http(s) link in it (the link field, links in the text or an override)
 * tagged with the campaign's UTM parameters. A campaign without UTM parameters tags nothing.
 */
export function publishText(content: PostContent, override: Partial<PostContent> | null, network: string, campaignUtm: Record<string, string> | null | undefined): string {
  const text = composeText(content, override);
  return campaignUtm && Object.keys(campaignUtm).length ? tagLinks(text, utmFor(campaignUtm, network)) : text;
}
