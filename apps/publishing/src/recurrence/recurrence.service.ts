import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, TOPICS, canonicalTimeZone } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { conditionsHold } from '@lib/permissions';
import { ApprovalPolicy } from '../approvals/approval-policy';
import { PostErrors } from '../posts/post-status.machine';
import { Post } from '../posts/post.entity';
import type { Actor } from '../posts/posts.service';
import { SchedulePostService } from '../scheduler/schedule-post.service';
import { WorkspaceDirectory } from '../workspaces/workspace-directory';
import type { SetRecurrenceRequest } from './dto/recurrence.requests';
import { firstOccurrenceFrom, occurrencesBetween, timingOf, type SeriesTiming } from './expand-occurrences';
import { PostRecurrence } from './post-recurrence.entity';
import { parseRecurrenceRule, RecurrenceRuleError } from './recurrence-rule';
import { assertUsableTemplate } from './recurrence-template';
import { RecurrenceErrors, invalidField } from './recurrence.errors';
import { toRecurrenceResponse, type RecurrenceResponse } from './recurrence.mapper';
import { formatWallTime, parseWallTime } from './wall-clock';

export const DEFAULT_UPCOMING = 10;

export interface StoppedRecurrenceResponse extends RecurrenceResponse {
  /** Future occurrences that were scheduled and are DRAFTs again. */
  unscheduledPostIds: string[];
}

/**
 * Attach, read and stop the series of a post. Setting a rule on a post that has one replaces it;
 * stopping (or replacing) takes the already-materialized future occurrences back to DRAFT so
 * nothing from the old rule goes out (they are kept, not deleted: someone may have edited one).
 */
@Injectable()
export class RecurrenceService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    private readonly scheduling: SchedulePostService,
    private readonly workspaces: WorkspaceDirectory,
    private readonly approvals: ApprovalPolicy,
  ) {}

  async set(actor: Actor, postId: string, input: SetRecurrenceRequest): Promise<RecurrenceResponse> {
    const timing = await this.timing(actor, input);
    const now = new Date();
    const first = firstOccurrenceFrom(timing, now);
    if (!first) throw invalidField('rrule', 'the series has no occurrence from now on (check startsAt, COUNT and UNTIL)');
    return this.em.fork().transactional(async (tx) => {
      let series = await this.lockSeries(tx, actor, postId);
      const template = await this.template(tx, actor, postId);
      assertUsableTemplate(template);
      // Targets and every network's limits, as scheduling will check each copy; and no going
      // around a review (an unapproved draft under a workflow would fail every occurrence).
      await this.scheduling.assertPublishable(tx, template);
      await this.approvals.assertMayScheduleDirectly(tx, actor, template);
      const before = series && series.isActive ? { rrule: series.rrule, timeZone: series.timeZone, startsAt: series.startsAt } : null;
      if (series) {
        await this.releaseFuture(tx, actor, series, now);
      } else {
        series = new PostRecurrence();
        series.workspaceId = actor.workspaceId;
        series.templatePost = template;
        series.createdBy = actor.userId;
        tx.persist(series);
      }
      series.rrule = timing.rule.text;
      series.timeZone = timing.timeZone;
      series.startsAt = formatWallTime(timing.startsAt);
      series.isActive = true;
      series.nextOccurrenceAt = first.at;
      series.lastError = null;
      series.lastErrorAt = null;
      series.retryAt = null;
      series.updatedAt = now;
      this.audit(tx, actor, postId, 'post.recurrence_set', { before, after: { rrule: series.rrule, timeZone: series.timeZone, startsAt: series.startsAt } });
      await tx.flush();
      return this.describe(tx, series, timing, now, DEFAULT_UPCOMING);
    });
  }

  async get(actor: Actor, postId: string, limit = DEFAULT_UPCOMING): Promise<RecurrenceResponse> {
    const em = this.em.fork();
    await this.template(em, actor, postId);
    const series = await em.findOne(PostRecurrence, { templatePost: postId, workspaceId: actor.workspaceId });
    if (!series) throw notFound();
    return this.describe(em, series, timingOf(series), new Date(), limit);
  }

  /** Ends the series: nothing more is materialized, and future copies go back to DRAFT. */
  async stop(actor: Actor, postId: string): Promise<StoppedRecurrenceResponse> {
    return this.em.fork().transactional(async (tx) => {
      const series = await this.lockSeries(tx, actor, postId);
      await this.template(tx, actor, postId);
      if (!series) throw notFound();
      const now = new Date();
      const unscheduled = await this.releaseFuture(tx, actor, series, now);
      const wasActive = series.isActive;
      series.isActive = false;
      series.nextOccurrenceAt = null;
      series.retryAt = null;
      series.updatedAt = now;
      if (wasActive) this.audit(tx, actor, postId, 'post.recurrence_stopped', { before: { rrule: series.rrule, isActive: true }, after: { isActive: false, unscheduledPostIds: unscheduled } });
      await tx.flush();
      return { ...(await this.describe(tx, series, timingOf(series), now, 0)), unscheduledPostIds: unscheduled };
    });
  }

  /** The rule, the zone (the workspace's when not given) and the start, each checked. */
  private async timing(actor: Actor, input: SetRecurrenceRequest): Promise<SeriesTiming> {
    let rule;
    try {
      rule = parseRecurrenceRule(input.rrule);
    } catch (err) {
      if (err instanceof RecurrenceRuleError) throw invalidField('rrule', err.message);
      throw err;
    }
    const given = input.timeZone;
    const zone = canonicalTimeZone(given ?? (await this.workspaces.timeZone(actor.workspaceId)));
    if (!zone) throw invalidField('timeZone', given ? 'must be an IANA time zone such as Europe/Berlin' : "the workspace's time zone is not an IANA zone: send timeZone");
    const startsAt = parseWallTime(input.startsAt);
    if (startsAt === null) throw invalidField('startsAt', 'must be a local date-time without offset, YYYY-MM-DDTHH:mm[:ss]');
    return { rule, timeZone: zone, startsAt };
  }

  /** The post, in the caller's workspace and within their narrowed grant, or 404. */
  private async template(em: EntityManager, actor: Actor, postId: string): Promise<Post> {
    const post = await em.findOne(Post, { id: postId, workspaceId: actor.workspaceId }, { populate: ['platformPosts.account', 'campaign'] });
    if (!post) throw new DomainError(PostErrors.notFound, 'No such post');
    const platforms = post.platformPosts.getItems().map((pp) => pp.platform);
    if (actor.conditions && !conditionsHold(actor.conditions, actor.userId, { ownerId: post.authorId, platforms })) throw new DomainError(PostErrors.notFound, 'No such post');
    return post;
  }

  /**
   * The post's series, locked. The template row is locked first, so two requests for one post
   * take turns (and a first attach cannot race into the unique key); the series row lock waits
   * for a materializer holding it.
   */
  private async lockSeries(tx: EntityManager, actor: Actor, postId: string): Promise<PostRecurrence | null> {
    await tx.getConnection().execute(`select id from posts where id = ? and "workspaceId" = ? for update`, [postId, actor.workspaceId], 'all', tx.getTransactionContext());
    const rows = await tx.getConnection().execute<{ id: string }[]>(
      `select id from post_recurrences where "templatePostId" = ? and "workspaceId" = ? for update`,
      [postId, actor.workspaceId],
      'all',
      tx.getTransactionContext(),
    );
    return rows.length ? tx.findOneOrFail(PostRecurrence, rows[0].id, { refresh: true }) : null;
  }

  /**
   * Future occurrences already materialized: copies still SCHEDULED (none of their networks
   * claimed yet) lose their publish jobs and go back to DRAFT; the occurrence records are
   * dropped so a new rule may use those times again. A copy already on its way is left alone.
   */
  private async releaseFuture(tx: EntityManager, actor: Actor, series: PostRecurrence, now: Date): Promise<string[]> {
    const conn = tx.getConnection();
    const ctx = tx.getTransactionContext();
    const rows = await conn.execute<{ postId: string | null }[]>(
      `select "postId" from post_recurrence_occurrences where "recurrenceId" = ? and "occurrenceAt" > ? for update`,
      [series.id, now],
      'all',
      ctx,
    );
    const ids = rows.map((r) => r.postId).filter((id): id is string => id !== null);
    let unscheduled: string[] = [];
    let kept: string[] = [];
    if (ids.length) {
      const posts = await conn.execute<{ id: string; status: string; busy: boolean }[]>(
        `select p.id, p.status, exists (select 1 from publish_jobs j where j."postId" = p.id and j.state <> 'pending') as busy
           from posts p where p.id = any(?::uuid[]) for update of p`,
        [`{${ids.join(',')}}`],
        'all',
        ctx,
      );
      unscheduled = posts.filter((p) => p.status === 'SCHEDULED' && !p.busy).map((p) => p.id);
      kept = posts.filter((p) => p.busy || p.status === 'PUBLISHING' || p.status === 'PUBLISHED').map((p) => p.id);
      if (unscheduled.length) {
        const list = `{${unscheduled.join(',')}}`;
        await conn.execute(`delete from publish_jobs where "postId" = any(?::uuid[]) and state = 'pending'`, [list], 'run', ctx);
        await conn.execute(`update posts set status = 'DRAFT', "updatedAt" = ? where id = any(?::uuid[])`, [now, list], 'run', ctx);
        for (const id of unscheduled) this.audit(tx, actor, id, 'post.status_changed', { before: { status: 'SCHEDULED' }, after: { status: 'DRAFT' }, reason: 'its recurring series was stopped or changed' });
      }
    }
    await conn.execute(
      `delete from post_recurrence_occurrences where "recurrenceId" = ? and "occurrenceAt" > ? and ("postId" is null or not ("postId" = any(?::uuid[])))`,
      [series.id, now, `{${kept.join(',')}}`],
      'run',
      ctx,
    );
    return unscheduled;
  }

  private async describe(em: EntityManager, series: PostRecurrence, timing: SeriesTiming, now: Date, limit: number): Promise<RecurrenceResponse> {
    const upcoming = series.isActive && limit > 0 ? occurrencesBetween(timing, now, null, limit) : [];
    const postIds = new Map<number, string>();
    if (upcoming.length) {
      const rows = await em.getConnection().execute<{ occurrenceAt: Date; postId: string }[]>(
        `select "occurrenceAt", "postId" from post_recurrence_occurrences where "recurrenceId" = ? and "occurrenceAt" between ? and ? and "postId" is not null`,
        [series.id, upcoming[0].at, upcoming[upcoming.length - 1].at],
        'all',
        em.getTransactionContext(),
      );
      for (const r of rows) postIds.set(new Date(r.occurrenceAt).getTime(), r.postId);
    }
    return toRecurrenceResponse(series, upcoming, postIds);
  }

  private audit(em: EntityManager, actor: Actor, postId: string, action: string, details: Record<string, unknown>): void {
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      { action, resourceType: 'post', resourceId: postId, userId: actor.userId, userName: null, userEmail: null, details, ipAddress: null, userAgent: null },
      { subject: actor.workspaceId, workspaceId: actor.workspaceId, actor: { type: 'user', id: actor.userId } },
    );
  }
}

function notFound(): DomainError {
  return new DomainError(RecurrenceErrors.notFound, 'This post does not repeat');
}
