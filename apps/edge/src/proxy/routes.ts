import type { UpstreamName } from '../config/edge.config';

/**
 * Which service owns each top-level resource under /api/v1. Resources are plural kebab-case
 * nouns after the schema's tables.
 */
export const ROUTES: Record<string, UpstreamName> = {
  auth: 'auth',
  me: 'auth',
  workspace: 'auth',
  users: 'auth',
  invitations: 'auth',
  'social-accounts': 'publishing',
  posts: 'publishing',
  'platform-posts': 'publishing',
  'media-assets': 'publishing',
  campaigns: 'publishing',
  workflows: 'publishing',
  approvals: 'publishing',
  conversations: 'inbox',
  messages: 'inbox',
  mentions: 'listening',
  trends: 'listening',
  influencers: 'listening',
  analytics: 'analytics',
  'audit-logs': 'audit',
  ai: 'ai',
};

/** A media upload (POST /api/v1/media-assets): forwarded with the upload body limit and timeout. */
export function isMediaUpload(method: string, url: string): boolean {
  return method === 'POST' && /^\/api\/v1\/media-assets\/?(?:\?|$)/.test(url);
}

/** `/api/v1/posts/123?x=1` → `posts` */
export function resourceOf(url: string): string | undefined {
  const m = /^\/api\/v1\/([a-z0-9-]+)(?:[/?]|$)/.exec(url);
  return m?.[1];
}
