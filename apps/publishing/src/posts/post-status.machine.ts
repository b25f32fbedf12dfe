import { DomainError, type PostStatus } from '@lib/contracts';

/**
 * Every move a post's status may make. Anything else is refused with the moves that are
 * allowed from where the post is, so a client can tell the user what to do instead.
 */
export const POST_TRANSITIONS: Record<PostStatus, readonly PostStatus[]> = {
  DRAFT: ['PENDING_APPROVAL', 'APPROVED', 'SCHEDULED', 'ARCHIVED'],
  PENDING_APPROVAL: ['APPROVED', 'SCHEDULED', 'DRAFT'],
  APPROVED: ['SCHEDULED', 'PUBLISHING', 'DRAFT', 'ARCHIVED'],
  SCHEDULED: ['PUBLISHING', 'DRAFT', 'ARCHIVED'],
  PUBLISHING: ['PUBLISHED', 'FAILED'],
  PUBLISHED: ['ARCHIVED'],
  FAILED: ['SCHEDULED', 'PUBLISHING', 'DRAFT', 'ARCHIVED'],
  ARCHIVED: ['DRAFT'],
};

export const PostErrors = {
  notFound: 'PUBLISHING.POST_NOT_FOUND',
  illegalTransition: 'PUBLISHING.ILLEGAL_TRANSITION',
  notEditable: 'PUBLISHING.POST_NOT_EDITABLE_CONFLICT',
  accountNotFound: 'PUBLISHING.ACCOUNT_NOT_FOUND',
  campaignNotFound: 'PUBLISHING.CAMPAIGN_NOT_FOUND',
  mediaNotFound: 'PUBLISHING.MEDIA_NOT_FOUND',
  scheduleInvalid: 'PUBLISHING.SCHEDULE_UNPROCESSABLE',
  forbidden: 'AUTH.FORBIDDEN',
} as const;

export function canTransition(from: PostStatus, to: PostStatus): boolean {
  return POST_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: PostStatus, to: PostStatus): void {
  if (canTransition(from, to)) return;
  const allowed = POST_TRANSITIONS[from];
  throw new DomainError(PostErrors.illegalTransition, `A ${from} post cannot become ${to}`, {
    detail: allowed.length ? `From ${from} a post can become: ${allowed.join(', ')}` : `${from} is final`,
    from,
    to,
    allowed,
  });
}

/** Content can change while a post is not on its way out. */
export const EDITABLE: readonly PostStatus[] = ['DRAFT', 'FAILED'];
