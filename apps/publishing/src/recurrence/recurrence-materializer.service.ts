import { Inject, Injectable, Optional } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { DomainError, TOPICS } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { PostMedia } from '../posts/post-media.entity';
import { Post } from '../posts/post.entity';
import { SchedulePostService } from '../scheduler/schedule-post.service';
import { firstOccurrenceFrom, occurrencesBetween, timingOf, type Occurrence } from './expand-occurrences';
import { PostRecurrence } from './post-recurrence.entity';
import { DEFAULT_RECURRENCE_CONFIG, type RecurrenceConfig } from './recurrence.config';
import { assertUsableTemplate, copyTemplate } from './recurrence-template';

/** Occurrences created per series per transaction (the rest follow in the next claim). */
export const OCCURRENCES_PER_CLAIM = 50;
/** Series handled per round before the loop looks at shutdown again. */
export const SERIES_PER_ROUND = 100;
/** Scheduling accepts a time this far in the past; an occurrence older than that was missed. */
export const MISSED_AFTER_MS = 60_000;

/**
 * Turns due occurrences of every active series into scheduled posts, a horizon ahead.
 *
 * Each series is claimed with FOR UPDATE SKIP LOCKED in its own transaction, and in that same
 * transaction each occurrence is recorded (primary key (recurrenceId, occurrenceAt)), its copy of
 * the template created and scheduled through SchedulePostService (validation, plan limit,
 * publish jobs, post.scheduled). So a crash anywhere leaves all of it or none of it, and a
 * replica, a restart or a second pass finds the occurrence recorded and skips it: each
 * occurrence becomes exactly one post, which the publisher then publishes exactly once.
 *
 * Copies are made when they come within the horizon, from the template as it is then: edits to
 * the template reach every occurrence not yet materialized. A series that fails (an account
 * disconnected, the content no longer fits a network, the plan's month full) rolls back, keeps
 * its reason (shown on GET …/recurrence) and waits `retryMs`; the others go on.
 */
@Injectable()
export class RecurrenceMaterializer {
  private readonly options: RecurrenceConfig;

  constructor(
    private readonly em: EntityManager,
    private readonly scheduling: SchedulePostService,
    private readonly outbox: OutboxWriter,
    @Inject(LOGGER) private readonly logger: Logger,
    @Optional() @Inject(APP_CONFIG) config?: Partial<PublishingConfig>,
  ) {
    this.options = { ...DEFAULT_RECURRENCE_CONFIG, ...(config?.recurrence ?? {}) };
  }

  get pollMs(): number {
    return this.options.pollMs;
  }

  /** Materializes what is due as of `now`; returns how many series were claimed. */
  async runOnce(now = new Date()): Promise<number> {
    let claimed = 0;
    while (claimed < SERIES_PER_ROUND && (await this.materializeNext(now))) claimed++;
    return claimed;
  }

  private async materializeNext(now: Date): Promise<boolean> {
    const horizonEnd = new Date(now.getTime() + this.options.horizonHours * 3_600_000);
    let claimedId: string | null = null;
    try {
      return await this.em.fork().transactional(async (tx) => {
        const rows = await tx.getConnection().execute<{ id: string }[]>(
          `select id from post_recurrences
            where "isActive" and "nextOccurrenceAt" <= ? and ("retryAt" is null or "retryAt" <= ?)
            order by "nextOccurrenceAt" limit 1 for update skip locked`,
          [horizonEnd, now],
          'all',
          tx.getTransactionContext(),
        );
        if (!rows.length) return false;
        claimedId = rows[0].id;
        const series = await tx.findOneOrFail(PostRecurrence, claimedId, { refresh: true });
        await this.materialize(tx, series, now, horizonEnd);
        return true;
      });
    } catch (err) {
      if (claimedId === null) throw err;
      await this.recordFailure(claimedId, err, now);
      return true;
    }
  }

  private async materialize(tx: EntityManager, series: PostRecurrence, now: Date, horizonEnd: Date): Promise<void> {
    const timing = timingOf(series);
    const from = series.nextOccurrenceAt ?? now;
    const due = occurrencesBetween(timing, from, horizonEnd, OCCURRENCES_PER_CLAIM);
    let template: { post: Post; media: PostMedia[] } | null = null;
    let created = 0;
    for (const occurrence of due) {
      const missed = occurrence.at.getTime() < now.getTime() - MISSED_AFTER_MS;
      if (!(await this.record(tx, series, occurrence, missed, now)) || missed) continue;
      template ??= await this.loadTemplate(tx, series);
      const copy = copyTemplate(tx, template.post, template.media);
      this.outbox.stage(
        tx,
        TOPICS.auditRecorded,
        {
          action: 'post.created',
          resourceType: 'post',
          resourceId: copy.id,
          userId: null,
          userName: null,
          userEmail: null,
          details: { after: { status: copy.status, content: copy.content }, recurrence: { id: series.id, templatePostId: series.templatePost.id, occurrenceAt: occurrence.at.toISOString() } },
          ipAddress: null,
          userAgent: null,
        },
        { subject: series.workspaceId, workspaceId: series.workspaceId, actor: { type: 'system', id: 'recurrence' } },
      );
      await tx.flush();
      // As the user who set the series up, with no narrowing: they could schedule the template.
      await this.scheduling.schedule({ userId: series.createdBy, workspaceId: series.workspaceId, conditions: null }, copy.id, false, occurrence.at, tx);
      await tx.getConnection().execute(
        `update post_recurrence_occurrences set "postId" = ? where "recurrenceId" = ? and "occurrenceAt" = ?`,
        [copy.id, series.id, occurrence.at],
        'run',
        tx.getTransactionContext(),
      );
      created++;
    }
    const last = due[due.length - 1];
    series.nextOccurrenceAt = firstOccurrenceFrom(timing, last ? new Date(last.at.getTime() + 1) : from)?.at ?? null;
    series.lastMaterializedAt = now;
    series.lastError = null;
    series.lastErrorAt = null;
    series.retryAt = null;
    await tx.flush();
    if (created) this.logger.info({ recurrenceId: series.id, created, next: series.nextOccurrenceAt }, 'recurrence: occurrences scheduled');
  }

  /** Records the occurrence; false when it already was (another pass or replica made it). */
  private async record(tx: EntityManager, series: PostRecurrence, occurrence: Occurrence, missed: boolean, now: Date): Promise<boolean> {
    const rows = await tx.getConnection().execute<unknown[]>(
      `insert into post_recurrence_occurrences ("recurrenceId", "occurrenceAt", "localTime", "postId", outcome, "createdAt")
       values (?, ?, ?, null, ?, ?) on conflict do nothing returning "occurrenceAt"`,
      [series.id, occurrence.at, occurrence.local, missed ? 'missed' : 'scheduled', now],
      'all',
      tx.getTransactionContext(),
    );
    if (rows.length && missed) this.logger.warn({ recurrenceId: series.id, occurrenceAt: occurrence.at }, 'recurrence: occurrence missed (its time had passed)');
    return rows.length > 0;
  }

  private async loadTemplate(tx: EntityManager, series: PostRecurrence): Promise<{ post: Post; media: PostMedia[] }> {
    const post = await tx.findOneOrFail(Post, { id: series.templatePost.id }, { populate: ['platformPosts.account', 'campaign'] });
    assertUsableTemplate(post);
    const media = await tx.find(PostMedia, { post: post.id }, { populate: ['media'], orderBy: { order: 'asc' } });
    return { post, media };
  }

  /** The transaction rolled back: keep why on the series, and leave it alone until retryAt. */
  private async recordFailure(id: string, err: unknown, now: Date): Promise<void> {
    const known = err instanceof DomainError;
    const detail = known && typeof err.details?.detail === 'string' ? ` (${err.details.detail})` : '';
    // Only domain errors are worded for users; anything else stays in the log.
    const reason = known ? `${err.code}: ${err.message}${detail}` : 'unexpected error; see the publishing service log';
    if (known) this.logger.warn({ recurrenceId: id, code: err.code, reason }, 'recurrence: could not schedule occurrences; will retry');
    else this.logger.error({ err, recurrenceId: id }, 'recurrence: materialization failed; will retry');
    await this.em.getConnection().execute(
      `update post_recurrences set "lastError" = ?, "lastErrorAt" = ?, "retryAt" = ?, "updatedAt" = ? where id = ? and "isActive"`,
      [reason.slice(0, 2000), now, new Date(now.getTime() + this.options.retryMs), now, id],
    );
  }
}
