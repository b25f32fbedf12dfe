import type { Post } from './post.entity';

/** What clients see of a post: an allow-list, tokens and internals never included. */
export function toPostResponse(post: Post) {
  return {
    id: post.id,
    workspaceId: post.workspaceId,
    authorId: post.authorId,
    content: post.content,
    status: post.status,
    scheduledAt: post.scheduledAt?.toISOString() ?? null,
    publishedAt: post.publishedAt?.toISOString() ?? null,
    campaignId: post.campaign?.id ?? null,
    tags: post.tags,
    aiGenerated: post.aiGenerated,
    targets: post.platformPosts.isInitialized()
      ? post.platformPosts.getItems().map((pp) => ({
          id: pp.id,
          accountId: pp.account.id,
          platform: pp.platform,
          customContent: pp.customContent,
          publishStatus: pp.publishStatus,
          platformPostId: pp.platformPostId,
          error: pp.error,
          publishedAt: pp.publishedAt?.toISOString() ?? null,
        }))
      : [],
    createdAt: post.createdAt.toISOString(),
    updatedAt: post.updatedAt.toISOString(),
  };
}

export type PostResponse = ReturnType<typeof toPostResponse>;
