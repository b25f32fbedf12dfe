import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { validate, type ContentMedia, type ContentProblem } from '@lib/connectors';
import { DomainError } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { conditionsHold } from '@lib/permissions';
import { ApprovalPolicy } from '../approvals/approval-policy';
import { PostMedia } from '../posts/post-media.entity';
import { PostErrors, assertTransition } from '../posts/post-status.machine';
import { Post } from '../posts/post.entity';
import { toPostResponse, type PostResponse } from '../posts/posts.mapper';
import type { Actor } from '../posts/posts.service';
import { PlanLimits } from '../workspaces/plan-limits';
import { publishText } from './compose-text';
import { contentMediaOf, queuePublishJobs } from './publish-queue';

/**
 * Schedules a post (or publishes it now): it is checked against every target network's limits
 * first, and every problem of every network is reported at once (422); then one publish job per
 * network is queued, and post.scheduled goes out, in the same transaction.
 */
@Injectable()
export class SchedulePostService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    private readonly limits: PlanLimits,
    private readonly approvals: ApprovalPolicy,
  ) {}

  /**
   * `within`: the caller's transaction, for a caller that records something with the schedule
   * (a recurring series records its occurrence, so a crash never leaves one without the other).
   */
  async schedule(actor: Actor, id: string, now: boolean, at?: Date, within?: EntityManager): Promise<PostResponse> {
    const inTransaction = <T>(fn: (tx: EntityManager) => Promise<T>): Promise<T> => (within ? fn(within) : this.em.fork().transactional(fn));
    return inTransaction(async (tx) => {
      const post = await tx.findOne(Post, { id, workspaceId: actor.workspaceId }, { populate: ['platformPosts.account', 'campaign'] });
      if (!post) throw new DomainError(PostErrors.notFound, 'No such post');
      const targets = post.platformPosts.getItems();
      if (actor.conditions && !conditionsHold(actor.conditions, actor.userId, { ownerId: post.authorId, platforms: targets.map((t) => t.platform) })) {
        throw new DomainError(PostErrors.notFound, 'No such post');
      }
      // A post in review, or a DRAFT an approval workflow applies to, is not scheduled around its approvers (409).
      await this.approvals.assertMayScheduleDirectly(tx, actor, post);
      const when = now ? new Date() : (at ?? post.scheduledAt);
      if (!when) throw new DomainError(PostErrors.scheduleInvalid, 'The post has no time to be published at', { errors: [{ field: 'scheduledAt', messages: ['set scheduledAt, or publish now'] }] });
      if (!now && when.getTime() < Date.now() - 60_000) {
        throw new DomainError(PostErrors.scheduleInvalid, 'That time has passed', { errors: [{ field: 'scheduledAt', messages: ['must not be in the past; publish now instead'] }] });
      }
      await this.assertPublishable(tx, post);
      // Publishing now is scheduling for now; rescheduling a scheduled post just moves its time.
      if (post.status !== 'SCHEDULED') assertTransition(post.status, 'SCHEDULED');
      // The plan's scheduled posts per month (a scheduled post moved within its month is not counted twice).
      await this.limits.assertScheduleSlot(tx, post.workspaceId, post.id, when);
      post.status = 'SCHEDULED';
      post.scheduledAt = when;
      post.updatedAt = new Date();
      // A network the post already went out on (a partly failed post, rescheduled) is never sent again.
      const pending = targets.filter((p) => p.publishStatus !== 'PUBLISHED');
      for (const t of pending) {
        t.publishStatus = 'PENDING';
        t.error = null;
      }
      // Publish jobs and post.scheduled: the write side shared with the CSV import (publish-queue.ts).
      await queuePublishJobs(tx, this.outbox, [{ postId: post.id, workspaceId: post.workspaceId, when, targets: pending, platforms: targets.map((t) => t.platform) }], actor.userId);
      await tx.flush();
      return toPostResponse(post);
    });
  }

  /** Targets, and every target network's limits (all problems of all networks at once, 422). */
  async assertPublishable(tx: EntityManager, post: Post): Promise<void> {
    const targets = post.platformPosts.getItems();
    if (!targets.length) throw new DomainError(PostErrors.scheduleInvalid, 'The post has no target network', { errors: [{ field: 'targets', messages: ['add at least one connected account'] }] });
    const media = await tx.find(PostMedia, { post: post.id }, { populate: ['media'], orderBy: { order: 'asc' } });
    const contentMedia: ContentMedia[] = media.map((m) => contentMediaOf(m.media));
    const problems: ContentProblem[] = targets.flatMap((t) => validate(t.platform, { text: publishText(post.content, t.customContent, t.platform, post.campaign?.utmParams), media: contentMedia }));
    if (problems.length) {
      throw new DomainError('PUBLISHING.CONTENT_UNPROCESSABLE', `The post does not fit ${[...new Set(problems.map((p) => p.platform))].join(', ')}`, {
        detail: problems.map((p) => `${p.platform} ${p.field}: ${p.message}`).join('; '),
        problems,
      });
    }
  }
}
