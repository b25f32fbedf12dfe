import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { validate, type ContentMedia, type ContentProblem } from '@lib/connectors';
import { DomainError, TOPICS } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { conditionsHold } from '@lib/permissions';
import { PostMedia } from '../posts/post-media.entity';
import { PostErrors, assertTransition } from '../posts/post-status.machine';
import { Post } from '../posts/post.entity';
import { toPostResponse, type PostResponse } from '../posts/posts.mapper';
import type { Actor } from '../posts/posts.service';
import { PlanLimits } from '../workspaces/plan-limits';
import { composeText } from './compose-text';

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
  ) {}

  async schedule(actor: Actor, id: string, now: boolean, at?: Date): Promise<PostResponse> {
    return this.em.fork().transactional(async (tx) => {
      const post = await tx.findOne(Post, { id, workspaceId: actor.workspaceId }, { populate: ['platformPosts.account'] });
      if (!post) throw new DomainError(PostErrors.notFound, 'No such post');
      const targets = post.platformPosts.getItems();
      if (actor.conditions && !conditionsHold(actor.conditions, actor.userId, { ownerId: post.authorId, platforms: targets.map((t) => t.platform) })) {
        throw new DomainError(PostErrors.notFound, 'No such post');
      }
      const when = now ? new Date() : (at ?? post.scheduledAt);
      if (!when) throw new DomainError(PostErrors.scheduleInvalid, 'The post has no time to be published at', { errors: [{ field: 'scheduledAt', messages: ['set scheduledAt, or publish now'] }] });
      if (!now && when.getTime() < Date.now() - 60_000) {
        throw new DomainError(PostErrors.scheduleInvalid, 'That time has passed', { errors: [{ field: 'scheduledAt', messages: ['must not be in the past; publish now instead'] }] });
      }
      if (!targets.length) throw new DomainError(PostErrors.scheduleInvalid, 'The post has no target network', { errors: [{ field: 'targets', messages: ['add at least one connected account'] }] });
      const media = await tx.find(PostMedia, { post: post.id }, { populate: ['media'], orderBy: { order: 'asc' } });
      const contentMedia: ContentMedia[] = media.map((m) => ({
        kind: m.media.type === 'VIDEO' ? 'video' : m.media.type === 'GIF' ? 'gif' : 'image',
        mimeType: String(m.media.metadata.mimeType ?? ''),
        sizeBytes: m.media.size,
        durationSec: m.media.duration ?? undefined,
        width: m.media.dimensions?.width,
        height: m.media.dimensions?.height,
      }));
      const problems: ContentProblem[] = targets.flatMap((t) => validate(t.platform, { text: composeText(post.content, t.customContent), media: contentMedia }));
      if (problems.length) {
        throw new DomainError('PUBLISHING.CONTENT_UNPROCESSABLE', `The post does not fit ${[...new Set(problems.map((p) => p.platform))].join(', ')}`, {
          detail: problems.map((p) => `${p.platform} ${p.field}: ${p.message}`).join('; '),
          problems,
        });
      }
      // Publishing now is scheduling for now; rescheduling a scheduled post just moves its time.
      if (post.status !== 'SCHEDULED') assertTransition(post.status, 'SCHEDULED');
      // The plan's scheduled posts per month (a scheduled post moved within its month is not counted twice).
      await this.limits.assertScheduleSlot(tx, post.workspaceId, post.id, when);
      post.status = 'SCHEDULED';
      post.scheduledAt = when;
      post.updatedAt = new Date();
      for (const t of targets) {
        t.publishStatus = 'PENDING';
        t.error = null;
        await tx.getConnection().execute(
          `insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
           values (?, ?, ?, 'pending', ?, ?, 0, false)
           on conflict ("platformPostId") do update set state = 'pending', "dueAt" = excluded."dueAt", "nextAttemptAt" = excluded."nextAttemptAt",
             attempts = 0, "leaseUntil" = null, "leasedBy" = null
           where publish_jobs.state <> 'in_flight'`,
          [t.id, post.id, post.workspaceId, when, when],
          'run',
          tx.getTransactionContext(),
        );
      }
      this.outbox.stage(tx, TOPICS.postScheduled, { postId: post.id, scheduledAt: when.toISOString(), platforms: targets.map((t) => t.platform) }, {
        subject: post.id,
        workspaceId: post.workspaceId,
        actor: { type: 'user', id: actor.userId },
      });
      await tx.flush();
      return toPostResponse(post);
    });
  }
}

