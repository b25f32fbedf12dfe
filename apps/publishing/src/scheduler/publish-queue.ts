import type { EntityManager } from '@mikro-orm/postgresql';
import type { ContentMedia } from '@lib/connectors';
import { TOPICS, type Platform } from '@lib/contracts';
import type { OutboxWriter } from '@lib/messaging';
import type { MediaAsset } from '../media/media-asset.entity';

/** What the network limits need to know about a media asset. */
export function contentMediaOf(asset: Pick<MediaAsset, 'type' | 'metadata' | 'size' | 'duration' | 'dimensions'>): ContentMedia {
  return {
    kind: asset.type === 'VIDEO' ? 'video' : asset.type === 'GIF' ? 'gif' : 'image',
    mimeType: String(asset.metadata.mimeType ?? ''),
    sizeBytes: asset.size,
    durationSec: asset.duration ?? undefined,
    width: asset.dimensions?.width,
    height: asset.dimensions?.height,
  };
}

export interface PostToQueue {
  postId: string;
  workspaceId: string;
  when: Date;
  /** The platform_posts rows to publish. */
  targets: { id: string; platform: Platform }[];
  /** The networks post.scheduled names (default: the targets'). */
  platforms?: Platform[];
}

/**
 * The write side of scheduling, for one post or a batch, in the caller's transaction: one
 * publish job per target network (a job already queued is moved, unless it is in flight), and
 * post.scheduled staged per post. The caller flushes.
 *
 * A job that sent something before takes its text afresh (the post may have been edited) but
 * reconciles first: if that earlier create did go through with the same text, it is found, not
 * repeated.
 */
export async function queuePublishJobs(tx: EntityManager, outbox: OutboxWriter, posts: readonly PostToQueue[], actorUserId: string): Promise<void> {
  const jobs = posts.flatMap((p) => p.targets.map((t) => ({ pp: t.id, post: p.postId, ws: p.workspaceId, due: p.when.toISOString() })));
  if (jobs.length) {
    await tx.getConnection().execute(
      `insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
       select v.pp, v.post, v.ws, 'pending', v.due, v.due, 0, false from jsonb_to_recordset(?::jsonb) as v(pp uuid, post uuid, ws uuid, due timestamptz)
       on conflict ("platformPostId") do update set state = 'pending', "dueAt" = excluded."dueAt", "nextAttemptAt" = excluded."nextAttemptAt",
         attempts = 0, "leaseUntil" = null, "leasedBy" = null, "sentText" = null, "lastError" = null,
         "mustReconcile" = publish_jobs."firstAttemptAt" is not null
       where publish_jobs.state <> 'in_flight'`,
      [JSON.stringify(jobs)],
      'run',
      tx.getTransactionContext(),
    );
  }
  for (const p of posts) {
    outbox.stage(tx, TOPICS.postScheduled, { postId: p.postId, scheduledAt: p.when.toISOString(), platforms: p.platforms ?? p.targets.map((t) => t.platform) }, {
      subject: p.postId,
      workspaceId: p.workspaceId,
      actor: { type: 'user', id: actorUserId },
    });
  }
}
