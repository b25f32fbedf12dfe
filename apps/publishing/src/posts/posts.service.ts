import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FilterQuery, ObjectQuery } from '@mikro-orm/core';
import { DomainError, TOPICS, type Platform } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { decodeTimeIdCursor, encodeTimeIdCursor, keysetAfter } from '@lib/pagination';
import { conditionsHold, type GrantConditions, type Role } from '@lib/permissions';
import { SocialAccount } from '../accounts/social-account.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { ApprovalPolicy } from '../approvals/approval-policy';
import { withdrawReview } from '../approvals/review-closing';
import { MediaAsset } from '../media/media-asset.entity';
import type { CreatePostRequest, ListPostsRequest, PostTargetRequest, UpdatePostRequest } from './dto/post.requests';
import { PlatformPost } from './platform-post.entity';
import { PostMedia } from './post-media.entity';
import { EDITABLE, PostErrors, assertTransition } from './post-status.machine';
import { Post, type PostContent } from './post.entity';
import { toPostResponse, type PostResponse } from './posts.mapper';

export interface Actor {
  userId: string;
  workspaceId: string;
  /** Narrowing from the caller's permission overrides (ownOnly, platforms), if any. */
  conditions: GrantConditions | null;
  /** The caller's role (from their token), when known: approval workflows match on the author's role. */
  role?: Role;
}

function notFound(): DomainError {
  return new DomainError(PostErrors.notFound, 'No such post');
}

/** Drafts and their life: create, read, change, remove; every query scoped to the caller's workspace. */
@Injectable()
export class PostsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    private readonly policy: ApprovalPolicy,
  ) {}

  async create(actor: Actor, input: CreatePostRequest): Promise<PostResponse> {
    const em = this.em.fork();
    const post = new Post();
    post.workspaceId = actor.workspaceId;
    post.authorId = actor.userId;
    post.content = cleanContent(input.content);
    post.tags = input.tags ?? [];
    post.aiGenerated = input.aiGenerated ?? false;
    post.scheduledAt = input.scheduledAt ?? null;
    post.campaign = input.campaignId ? await this.campaign(em, actor, input.campaignId) : null;
    em.persist(post);
    await this.setTargets(em, actor, post, input.targets ?? []);
    await this.setMedia(em, actor, post, input.mediaIds ?? []);
    this.audit(em, actor, post, 'post.created', { after: { status: post.status, content: post.content } });
    await em.flush();
    await em.populate(post, ['platformPosts.account']);
    return toPostResponse(post);
  }

  async get(actor: Actor, id: string): Promise<PostResponse> {
    const post = await this.load(this.em.fork(), actor, id);
    return toPostResponse(post);
  }

  async list(actor: Actor, q: ListPostsRequest): Promise<{ items: PostResponse[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const { where, and } = postFilter(actor, q);
    // sort=scheduledAt: the posts that have a time, soonest first (SCHEMA's "scheduled posts").
    const bySchedule = q.sort === 'scheduledAt';
    if (bySchedule) and.push({ scheduledAt: { $ne: null } });
    if (q.cursor) {
      const at = decodeTimeIdCursor(q.cursor);
      and.push(bySchedule ? keysetAfter('scheduledAt', at, 'asc') : keysetAfter('createdAt', at));
    }
    if (and.length) where.$and = and;
    const posts = await this.em.fork().find(Post, where, {
      orderBy: bySchedule ? { scheduledAt: 'asc', id: 'asc' } : { createdAt: 'desc', id: 'desc' },
      limit: limit + 1,
      populate: ['platformPosts.account', 'campaign'],
    });
    const page = posts.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toPostResponse), nextCursor: posts.length > limit ? encodeTimeIdCursor(bySchedule ? last.scheduledAt! : last.createdAt, last.id) : null };
  }

  async update(actor: Actor, id: string, input: UpdatePostRequest): Promise<PostResponse> {
    const em = this.em.fork();
    return em.transactional(async (tx) => {
      const post = await this.load(tx, actor, id, true);
      if (!EDITABLE.includes(post.status)) {
        throw new DomainError(PostErrors.notEditable, `A ${post.status} post cannot be edited`, {
          detail: `Only ${EDITABLE.join(' or ')} posts can be edited; move it back to DRAFT first`,
          postStatus: post.status,
        });
      }
      const before = { content: post.content, tags: post.tags, scheduledAt: post.scheduledAt?.toISOString() ?? null };
      if (input.content) post.content = cleanContent(input.content);
      if (input.tags) post.tags = input.tags;
      if (input.scheduledAt !== undefined) post.scheduledAt = input.scheduledAt;
      // campaignId: null takes the post out of its campaign.
      if (input.campaignId !== undefined) post.campaign = input.campaignId ? await this.campaign(tx, actor, input.campaignId) : null;
      if (input.targets) {
        // What already went out (a partly failed post) stays: its record is what keeps it from going out twice.
        const published = post.platformPosts.getItems().filter((pp) => pp.publishStatus === 'PUBLISHED');
        tx.remove(post.platformPosts.getItems().filter((pp) => pp.publishStatus !== 'PUBLISHED'));
        await this.setTargets(tx, actor, post, input.targets.filter((t) => !published.some((pp) => pp.account.id === t.accountId)));
      }
      if (input.mediaIds) {
        await tx.nativeDelete(PostMedia, { post: post.id });
        await this.setMedia(tx, actor, post, input.mediaIds);
      }
      post.updatedAt = new Date();
      this.audit(tx, actor, post, 'post.updated', { before, after: { content: post.content, tags: post.tags, scheduledAt: post.scheduledAt?.toISOString() ?? null } });
      await tx.flush();
      await tx.populate(post, ['platformPosts.account'], { refresh: true });
      // A failed post may be sent again as it is; changed, it is a new post, and a review must see it again.
      const changesWhatGoesOut = input.content || input.targets || input.mediaIds || input.campaignId !== undefined;
      if (post.status === 'FAILED' && changesWhatGoesOut && (await this.policy.applicable(tx, actor, post))) {
        post.status = 'DRAFT';
        this.audit(tx, actor, post, 'post.status_changed', { before: { status: 'FAILED' }, after: { status: 'DRAFT' }, reason: 'edited; an approval workflow applies, so it must be submitted again' });
        await tx.flush();
      }
      return toPostResponse(post);
    });
  }

  /** Archive, restore to DRAFT, or take a scheduled post back to DRAFT. */
  async transition(actor: Actor, id: string, to: 'ARCHIVED' | 'DRAFT'): Promise<PostResponse> {
    const em = this.em.fork();
    return em.transactional(async (tx) => {
      const post = await this.load(tx, actor, id, true);
      assertTransition(post.status, to);
      const from = post.status;
      // Taken out of review: its open approvals are closed and the review ends as withdrawn.
      if (from === 'PENDING_APPROVAL') await withdrawReview(tx, actor.workspaceId, post.id);
      // Unscheduled: its queued sends go (the row lock keeps the publisher from claiming them meanwhile).
      await tx.getConnection().execute(`delete from publish_jobs where "postId" = ? and state = 'pending'`, [post.id], 'run', tx.getTransactionContext());
      post.status = to;
      post.updatedAt = new Date();
      this.audit(tx, actor, post, 'post.status_changed', { before: { status: from }, after: { status: to } });
      await tx.flush();
      return toPostResponse(post);
    });
  }

  /** Removes a draft or an archived post; anything on its way out must be archived instead. */
  async remove(actor: Actor, id: string): Promise<void> {
    const em = this.em.fork();
    await em.transactional(async (tx) => {
      const post = await this.load(tx, actor, id, true);
      if (post.status !== 'DRAFT' && post.status !== 'ARCHIVED') {
        throw new DomainError(PostErrors.notEditable, `A ${post.status} post cannot be deleted`, { detail: 'Archive it instead', postStatus: post.status });
      }
      this.audit(tx, actor, post, 'post.deleted', { before: { status: post.status, content: post.content } });
      tx.remove(post);
      await tx.flush();
    });
  }

  private async load(em: EntityManager, actor: Actor, id: string, forUpdate = false): Promise<Post> {
    // The row lock first (FOR UPDATE cannot apply to the outer joins of the populate): changes to one post are serialized,
    // and the publisher's claim, which moves the post to PUBLISHING, waits for them.
    if (forUpdate) await em.getConnection().execute(`select id from posts where id = ? and "workspaceId" = ? for update`, [id, actor.workspaceId], 'all', em.getTransactionContext());
    const post = await em.findOne(Post, { id, workspaceId: actor.workspaceId }, { populate: ['platformPosts.account', 'campaign'] });
    if (!post) throw notFound();
    const platforms = post.platformPosts.getItems().map((pp) => pp.platform);
    // A grant narrowed to own posts or some networks sees nothing else, as if it did not exist.
    if (actor.conditions && !conditionsHold(actor.conditions, actor.userId, { ownerId: post.authorId, platforms })) throw notFound();
    return post;
  }

  private async campaign(em: EntityManager, actor: Actor, id: string): Promise<Campaign> {
    const c = await em.findOne(Campaign, { id, workspaceId: actor.workspaceId });
    if (!c) throw new DomainError(PostErrors.campaignNotFound, 'No such campaign', { errors: [{ field: 'campaignId', messages: ['not a campaign of this workspace'] }] });
    return c;
  }

  private async setTargets(em: EntityManager, actor: Actor, post: Post, targets: PostTargetRequest[]): Promise<void> {
    const ids = [...new Set(targets.map((t) => t.accountId))];
    const accounts = ids.length ? await em.find(SocialAccount, { id: { $in: ids }, workspaceId: actor.workspaceId, isActive: true }) : [];
    const missing = ids.filter((id) => !accounts.some((a) => a.id === id));
    if (missing.length) {
      throw new DomainError(PostErrors.accountNotFound, 'No such connected account', {
        errors: missing.map((id) => ({ field: `targets.accountId`, messages: [`${id} is not an active account of this workspace`] })),
      });
    }
    for (const t of targets) {
      const account = accounts.find((a) => a.id === t.accountId)!;
      const pp = new PlatformPost();
      pp.post = post;
      pp.account = account;
      pp.platform = account.platform;
      pp.customContent = t.customContent ? (cleanContent({ text: '', ...t.customContent }) as Partial<PostContent>) : null;
      if (pp.customContent && !t.customContent?.text) delete pp.customContent.text;
      em.persist(pp);
    }
  }

  private async setMedia(em: EntityManager, actor: Actor, post: Post, mediaIds: string[]): Promise<void> {
    if (!mediaIds.length) return;
    const media = await em.find(MediaAsset, { id: { $in: mediaIds }, workspaceId: actor.workspaceId });
    const missing = mediaIds.filter((id) => !media.some((m) => m.id === id));
    if (missing.length) {
      throw new DomainError(PostErrors.mediaNotFound, 'No such media asset', { errors: missing.map((id) => ({ field: 'mediaIds', messages: [`${id} is not a media asset of this workspace`] })) });
    }
    mediaIds.forEach((id, order) => {
      const pm = new PostMedia();
      pm.post = post;
      pm.media = media.find((m) => m.id === id)!;
      pm.order = order;
      em.persist(pm);
    });
  }

  private audit(em: EntityManager, actor: Actor, post: Post, action: string, details: Record<string, unknown>): void {
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      { action, resourceType: 'post', resourceId: post.id, userId: actor.userId, userName: null, userEmail: null, details, ipAddress: null, userAgent: null },
      { subject: actor.workspaceId, workspaceId: actor.workspaceId, actor: { type: 'user', id: actor.userId } },
    );
  }
}

/** The list's filters and the caller's narrowing (own posts, some networks); the CSV export applies the same. */
export function postFilter(actor: Actor, q: Pick<ListPostsRequest, 'status' | 'campaignId' | 'tag' | 'platform' | 'from' | 'to'>): { where: ObjectQuery<Post>; and: FilterQuery<Post>[] } {
  const where: ObjectQuery<Post> = { workspaceId: actor.workspaceId };
  const and: FilterQuery<Post>[] = [];
  if (q.status) where.status = q.status;
  if (q.campaignId) where.campaign = q.campaignId;
  if (q.tag) where.tags = { $contains: [q.tag] };
  if (q.platform) where.platformPosts = { platform: q.platform };
  if (actor.conditions?.ownOnly) where.authorId = actor.userId;
  and.push(...platformNarrowing(actor));
  if (q.from) and.push({ $or: [{ scheduledAt: { $gte: q.from } }, { scheduledAt: null, createdAt: { $gte: q.from } }] });
  if (q.to) and.push({ $or: [{ scheduledAt: { $lte: q.to } }, { scheduledAt: null, createdAt: { $lte: q.to } }] });
  return { where, and };
}

/**
 * A grant narrowed to some networks sees only posts that target networks, all of them among
 * those (as conditionsHold decides for one post), in list queries.
 */
export function platformNarrowing(actor: Actor): FilterQuery<Post>[] {
  const allowed = actor.conditions?.platforms;
  if (!allowed) return [];
  return [{ platformPosts: { $some: {} } }, { platformPosts: { $none: { platform: { $nin: allowed as Platform[] } } } }];
}

function cleanContent(c: { text: string; hashtags?: string[]; mentions?: string[]; link?: string }): PostContent {
  return {
    text: c.text,
    ...(c.hashtags ? { hashtags: c.hashtags } : {}),
    ...(c.mentions ? { mentions: c.mentions } : {}),
    ...(c.link ? { link: c.link } : {}),
  };
}
