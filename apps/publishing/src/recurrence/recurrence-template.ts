import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, type PostStatus } from '@lib/contracts';
import { PlatformPost } from '../posts/platform-post.entity';
import { PostMedia } from '../posts/post-media.entity';
import { Post } from '../posts/post.entity';
import { RecurrenceErrors } from './recurrence.errors';

/**
 * What a template needs beyond what scheduling checks: not archived, and every target account
 * still connected (a copy to a disconnected account could only fail at publish time).
 */
export function assertUsableTemplate(template: Post): void {
  if (template.status === 'ARCHIVED') {
    throw new DomainError(RecurrenceErrors.templateConflict, 'An archived post cannot repeat', { detail: 'Restore it to DRAFT first', postStatus: template.status });
  }
  const disconnected = template.platformPosts.getItems().filter((t) => !t.account.isActive);
  if (disconnected.length) {
    throw new DomainError(RecurrenceErrors.accountDisconnected, `${disconnected.map((t) => `${t.platform} @${t.account.username}`).join(', ')} is disconnected; reconnect it`, {
      errors: disconnected.map((t) => ({ field: 'targets.accountId', messages: [`${t.account.id} is disconnected`] })),
    });
  }
}

/**
 * Templates whose content went through any approval it needed and cannot change since (only DRAFT
 * and FAILED posts are editable): their copies start APPROVED, so an approval workflow does not
 * stop each occurrence. Copies of any other template start as DRAFTs and scheduling applies the
 * workflows to them, as to any draft.
 */
const SETTLED: readonly PostStatus[] = ['APPROVED', 'SCHEDULED', 'PUBLISHING', 'PUBLISHED'];

/**
 * A new copy of the template as it is now: content, targets with their overrides, media in order,
 * tags, campaign, author and AI flags; APPROVED or DRAFT (see SETTLED). Persisted, not flushed.
 */
export function copyTemplate(em: EntityManager, template: Post, media: readonly PostMedia[]): Post {
  const copy = new Post();
  copy.workspaceId = template.workspaceId;
  copy.authorId = template.authorId;
  copy.content = structuredClone(template.content);
  copy.tags = [...template.tags];
  copy.campaign = template.campaign;
  copy.aiGenerated = template.aiGenerated;
  copy.aiMetadata = template.aiMetadata ? structuredClone(template.aiMetadata) : null;
  copy.status = SETTLED.includes(template.status) ? 'APPROVED' : 'DRAFT';
  em.persist(copy);
  for (const t of template.platformPosts.getItems()) {
    const pp = new PlatformPost();
    pp.post = copy;
    pp.account = t.account;
    pp.platform = t.platform;
    pp.customContent = t.customContent ? structuredClone(t.customContent) : null;
    copy.platformPosts.add(pp);
    em.persist(pp);
  }
  for (const m of media) {
    const pm = new PostMedia();
    pm.post = copy;
    pm.media = m.media;
    pm.order = m.order;
    em.persist(pm);
  }
  return copy;
}
