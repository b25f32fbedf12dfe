import { Injectable } from '@nestjs/common';
import { LockMode, QueryOrder, type FilterQuery } from '@mikro-orm/core';
import { EntityManager } from '@mikro-orm/postgresql';
import { validate, type ContentProblem } from '@lib/connectors';
import { DomainError, POST_STATUSES, TOPICS, type CampaignStatus, type PostStatus } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { decodeCursor, decodeTimeIdCursor, encodeCursor, encodeTimeIdCursor, keysetAfter } from '@lib/pagination';
import { PlatformPost } from '../posts/platform-post.entity';
import { Post } from '../posts/post.entity';
import { toPostResponse, type PostResponse } from '../posts/posts.mapper';
import { platformNarrowing, type Actor } from '../posts/posts.service';
import { publishText } from '../scheduler/compose-text';
import { Campaign } from './campaign.entity';
import { assertCampaignTransition } from './campaign-status.machine';
import { CampaignErrors } from './campaigns.errors';
import { toCampaignResponse, type CampaignResponse } from './campaigns.mapper';
import type { CampaignPostsRequest, CreateCampaignRequest, ListCampaignsRequest, UpdateCampaignRequest, UtmParamsRequest } from './dto/campaign.requests';
import { UTM_KEYS } from './utm-links';

export type CampaignDetails = CampaignResponse & { postCounts: Record<PostStatus, number> & { total: number } };

function notFound(): DomainError {
  return new DomainError(CampaignErrors.notFound, 'No such campaign');
}

function invalid(field: string, message: string): DomainError {
  return new DomainError(CampaignErrors.invalid, 'Invalid request', { detail: `${field}: ${message}`, errors: [{ field, messages: [message] }] });
}

/** The UTM parameters as stored: only the known keys, only those set. */
function cleanUtm(input: UtmParamsRequest | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of UTM_KEYS) if (input?.[k]) out[k] = input[k];
  return out;
}

/** Posts of a campaign: published newest first, unpublished (no publishedAt) ahead of them. */
function encodePostCursor(p: Post): string {
  return encodeCursor({ p: p.publishedAt?.toISOString() ?? null, i: p.id });
}

function decodePostCursor(cursor: string): { p: Date | null; i: string } {
  return decodeCursor(
    cursor,
    (v) => {
      const p = v.p === null ? null : new Date(typeof v.p === 'string' ? v.p : '');
      return typeof v.i === 'string' && (p === null || !Number.isNaN(p.getTime())) ? { p, i: v.i } : null;
    },
    () => invalid('cursor', 'not a cursor from this API'),
  );
}

/**
 * Campaigns: create, read, change, move through DRAFT → ACTIVE ⇄ PAUSED → COMPLETED, remove.
 * Every query is scoped to the caller's workspace; every change stages an audit entry in the
 * same flush.
 */
@Injectable()
export class CampaignsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
  ) {}

  async create(actor: Actor, input: CreateCampaignRequest): Promise<CampaignResponse> {
    const em = this.em.fork();
    const c = new Campaign();
    c.workspaceId = actor.workspaceId;
    c.name = input.name.trim();
    c.description = input.description ?? null;
    c.startDate = input.startDate;
    c.endDate = input.endDate;
    c.goals = { ...(input.goals ?? {}) };
    c.budget = input.budget ?? null;
    c.tags = input.tags ?? [];
    c.utmParams = cleanUtm(input.utmParams);
    em.persist(c);
    this.audit(em, actor, c, 'campaign.created', { after: snapshot(c) });
    await em.flush();
    return toCampaignResponse(c);
  }

  async list(actor: Actor, q: ListCampaignsRequest): Promise<{ items: CampaignResponse[]; nextCursor: string | null }> {
    if (q.from && q.to && q.to.getTime() < q.from.getTime()) throw invalid('to', 'must not be before from');
    const limit = q.limit ?? 50;
    const where: FilterQuery<Campaign> = { workspaceId: actor.workspaceId };
    const and: FilterQuery<Campaign>[] = [];
    if (q.status) where.status = q.status;
    if (q.tag) where.tags = { $contains: [q.tag] };
    // Running at some time in [from, to]: the two ranges overlap.
    if (q.from) and.push({ endDate: { $gte: q.from } });
    if (q.to) and.push({ startDate: { $lte: q.to } });
    if (q.cursor) and.push(keysetAfter('createdAt', decodeTimeIdCursor(q.cursor)));
    if (and.length) where.$and = and;
    const rows = await this.em.fork().find(Campaign, where, { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toCampaignResponse), nextCursor: rows.length > limit ? encodeTimeIdCursor(last.createdAt, last.id) : null };
  }

  async get(actor: Actor, id: string): Promise<CampaignDetails> {
    const em = this.em.fork();
    const c = await this.load(em, actor, id);
    const rows = await em.getConnection().execute<{ status: PostStatus; n: number }[]>(
      `select status, count(*)::int as n from posts where "campaignId" = ? and "workspaceId" = ? group by status`,
      [c.id, actor.workspaceId],
    );
    const counts = Object.fromEntries(POST_STATUSES.map((s) => [s, 0])) as Record<PostStatus, number>;
    for (const r of rows) counts[r.status] = r.n;
    return { ...toCampaignResponse(c), postCounts: { ...counts, total: rows.reduce((n, r) => n + r.n, 0) } };
  }

  async update(actor: Actor, id: string, input: UpdateCampaignRequest): Promise<CampaignResponse> {
    return this.em.fork().transactional(async (tx) => {
      const c = await this.load(tx, actor, id, true);
      const start = input.startDate ?? c.startDate;
      const end = input.endDate ?? c.endDate;
      if (end.getTime() < start.getTime()) throw invalid('endDate', `must not be before startDate (${start.toISOString()})`);
      const before = snapshot(c);
      if (input.name !== undefined) c.name = input.name.trim();
      if (input.description !== undefined) c.description = input.description;
      c.startDate = start;
      c.endDate = end;
      if (input.goals !== undefined) c.goals = { ...input.goals };
      if (input.budget !== undefined) c.budget = input.budget;
      if (input.tags !== undefined) c.tags = input.tags;
      if (input.utmParams !== undefined) {
        const utm = cleanUtm(input.utmParams);
        if (JSON.stringify(utm) !== JSON.stringify(cleanUtm(c.utmParams))) await this.assertUtmFits(tx, c, utm);
        c.utmParams = utm;
      }
      c.updatedAt = new Date();
      this.audit(tx, actor, c, 'campaign.updated', { before, after: snapshot(c) });
      await tx.flush();
      return toCampaignResponse(c);
    });
  }

  async transition(actor: Actor, id: string, to: CampaignStatus): Promise<CampaignResponse> {
    return this.em.fork().transactional(async (tx) => {
      const c = await this.load(tx, actor, id, true);
      assertCampaignTransition(c.status, to);
      const from = c.status;
      c.status = to;
      c.updatedAt = new Date();
      this.audit(tx, actor, c, 'campaign.status_changed', { before: { status: from }, after: { status: to } });
      await tx.flush();
      return toCampaignResponse(c);
    });
  }

  /**
   * Removes a campaign that has no posts, whatever its status. One with posts is refused (409):
   * deleting it would silently strip the posts' attribution and the UTM tags of those not yet
   * sent; detach the posts, or complete the campaign instead.
   */
  async remove(actor: Actor, id: string): Promise<void> {
    await this.em.fork().transactional(async (tx) => {
      // Locked first: a post being attached concurrently either commits before the count or waits and fails.
      const c = await this.load(tx, actor, id, true);
      const posts = await tx.count(Post, { campaign: c.id });
      if (posts > 0) {
        throw new DomainError(CampaignErrors.hasPosts, `The campaign has ${posts} post(s)`, {
          detail: 'Only a campaign without posts can be deleted; move its posts to another campaign (or none), or complete it instead',
          posts,
        });
      }
      this.audit(tx, actor, c, 'campaign.deleted', { before: snapshot(c) });
      tx.remove(c);
      await tx.flush();
    });
  }

  /** SCHEMA's "campaign posts": the campaign's posts with their networks, published newest first. */
  async posts(actor: Actor, id: string, q: CampaignPostsRequest): Promise<{ items: PostResponse[]; nextCursor: string | null }> {
    const em = this.em.fork();
    const c = await this.load(em, actor, id);
    const limit = q.limit ?? 50;
    const where: FilterQuery<Post> = { workspaceId: actor.workspaceId, campaign: c.id };
    const and: FilterQuery<Post>[] = [...platformNarrowing(actor)];
    if (actor.conditions?.ownOnly) where.authorId = actor.userId;
    if (q.cursor) {
      const { p, i } = decodePostCursor(q.cursor);
      and.push(p === null ? { $or: [{ publishedAt: null, id: { $lt: i } }, { publishedAt: { $ne: null } }] } : { $or: [{ publishedAt: { $lt: p } }, { publishedAt: p, id: { $lt: i } }] });
    }
    if (and.length) where.$and = and;
    const posts = await em.find(Post, where, {
      orderBy: [{ publishedAt: QueryOrder.DESC_NULLS_FIRST }, { id: QueryOrder.DESC }],
      limit: limit + 1,
      populate: ['platformPosts.account', 'campaign'],
    });
    const page = posts.slice(0, limit);
    return { items: page.map(toPostResponse), nextCursor: posts.length > limit ? encodePostCursor(page[page.length - 1]) : null };
  }

  private async load(em: EntityManager, actor: Actor, id: string, forUpdate = false): Promise<Campaign> {
    const c = await em.findOne(Campaign, { id, workspaceId: actor.workspaceId }, forUpdate ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!c) throw notFound();
    return c;
  }

  /**
   * Posts already accepted for networks were checked with the old tags; longer tags must not push
   * one of their texts over a network's limit before it goes out.
   */
  private async assertUtmFits(em: EntityManager, c: Campaign, utm: Record<string, string>): Promise<void> {
    const waiting = await em.find(
      PlatformPost,
      { publishStatus: 'PENDING', post: { campaign: c.id, workspaceId: c.workspaceId, status: { $in: ['SCHEDULED', 'PUBLISHING'] } } },
      { populate: ['post'] },
    );
    const problems: (ContentProblem & { postId: string })[] = waiting.flatMap((pp) =>
      validate(pp.platform, { text: publishText(pp.post.content, pp.customContent, pp.platform, utm) })
        .filter((p) => p.code === 'TEXT_TOO_LONG')
        .map((p) => ({ ...p, postId: pp.post.id })),
    );
    if (problems.length) {
      throw new DomainError(CampaignErrors.utmTooLong, 'These UTM parameters make scheduled posts too long', {
        detail: problems.map((p) => `post ${p.postId} on ${p.platform}: ${p.message}`).join('; '),
        errors: [{ field: 'utmParams', messages: ['would push scheduled posts of this campaign over a network limit'] }],
        problems,
      });
    }
  }

  private audit(em: EntityManager, actor: Actor, c: Campaign, action: string, details: Record<string, unknown>): void {
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      { action, resourceType: 'campaign', resourceId: c.id, userId: actor.userId, userName: null, userEmail: null, details, ipAddress: null, userAgent: null },
      { subject: actor.workspaceId, workspaceId: actor.workspaceId, actor: { type: 'user', id: actor.userId } },
    );
  }
}

function snapshot(c: Campaign): Record<string, unknown> {
  const { id: _id, workspaceId: _workspaceId, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = toCampaignResponse(c);
  return fields;
}
