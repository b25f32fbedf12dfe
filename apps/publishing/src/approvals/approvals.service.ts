import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, ErrorCodes, TOPICS } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { decodeTimeIdCursor, encodeTimeIdCursor } from '@lib/pagination';
import { conditionsHold, evaluate, type PermissionSubject } from '@lib/permissions';
import { PostErrors, assertTransition } from '../posts/post-status.machine';
import { Post } from '../posts/post.entity';
import { toPostResponse, type PostResponse } from '../posts/posts.mapper';
import type { Actor } from '../posts/posts.service';
import { SchedulePostService } from '../scheduler/schedule-post.service';
import { ApprovalClosure } from './approval-closure.entity';
import { ApprovalPolicy } from './approval-policy';
import { ApprovalRequest } from './approval-request.entity';
import { Approval } from './approval.entity';
import { ApprovalErrors } from './approvals.errors';
import { toApprovalResponse, toReviewResponse, type ApprovalResponse, type ApprovalView, type ReviewResponse } from './approvals.mapper';
import type { ListApprovalsRequest, SubmitPostRequest } from './dto/approval.requests';
import { closeOpenApprovals, lockPost } from './review-closing';

/** What happened when an approved post with a time was handed to the scheduler. */
export type SchedulingOutcome =
  | { scheduled: true; scheduledAt: string | null }
  | { scheduled: false; code: string; title: string; detail: string | null; details: Record<string, unknown> };

export interface SubmitResponse {
  post: PostResponse;
  /** null when no workflow applies (the post was approved straight away). */
  review: ReviewResponse | null;
  /** The rows opened for level 1. */
  approvals: ApprovalResponse[];
  /** null when the post did not become APPROVED or has no scheduledAt. */
  scheduling: SchedulingOutcome | null;
}

export interface DecisionResponse {
  approval: ApprovalResponse;
  post: PostResponse;
  review: ReviewResponse;
  /** Rows opened for the next level, when this decision completed a level. */
  opened: ApprovalResponse[];
  scheduling: SchedulingOutcome | null;
}

const SELECT_VIEW = `select a.id, a."postId", a."approverId", a.status, a.comments, a.level, a."approvedAt", a."createdAt", c.reason as "closedReason", c."closedAt"
  from approvals a join posts p on p.id = a."postId" left join approval_closures c on c."approvalId" = a.id`;

function viewOf(a: Approval, closure: ApprovalClosure | null = null): ApprovalView {
  return {
    id: a.id,
    postId: a.post.id,
    approverId: a.approverId,
    status: a.status,
    comments: a.comments,
    level: a.level,
    approvedAt: a.approvedAt,
    createdAt: a.createdAt,
    closedReason: closure?.reason ?? null,
    closedAt: closure?.closedAt ?? null,
  };
}

function postNotFound(): DomainError {
  return new DomainError(PostErrors.notFound, 'No such post');
}

function approvalNotFound(): DomainError {
  return new DomainError(ApprovalErrors.approvalNotFound, 'No such approval');
}

/**
 * The approval flow of a post: submit it (the workflow that applies decides the levels), then
 * each approver approves or rejects their row. Every step locks the post row first and changes
 * the post, its review and the rows in one transaction, audit entries staged in the same flush.
 */
@Injectable()
export class ApprovalsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    private readonly policy: ApprovalPolicy,
    private readonly scheduling: SchedulePostService,
  ) {}

  /**
   * DRAFT → PENDING_APPROVAL with level 1's rows when a workflow applies; otherwise DRAFT →
   * APPROVED, then SCHEDULED when the post has a time and the submitter may publish (without a
   * workflow nobody else vouches for the post, so posts:publish still decides who schedules).
   */
  async submit(actor: Actor, subject: PermissionSubject, id: string, input: SubmitPostRequest): Promise<SubmitResponse> {
    const comments = input.comments ?? null;
    const done = await this.em.fork().transactional(async (tx) => {
      const post = await this.lockedPost(tx, actor, id);
      assertTransition(post.status, 'PENDING_APPROVAL');
      const match = await this.policy.applicable(tx, actor, post);
      if (!match) {
        this.moveTo(tx, actor, post, 'APPROVED', { reason: 'no approval workflow applies', comments });
        await tx.flush();
        return { post, review: null, opened: [] as Approval[] };
      }
      const levels = await this.policy.resolveLevels(actor.workspaceId, match, post.authorId);
      // A previous round's rows are closed when it ends; this only guards against leftovers.
      await closeOpenApprovals(tx, post.id, 'WITHDRAWN');
      const review = (await tx.findOne(ApprovalRequest, { post: post.id })) ?? Object.assign(new ApprovalRequest(), { post });
      Object.assign(review, {
        workspaceId: post.workspaceId,
        workflowId: match.workflow.id,
        workflowName: match.workflow.name,
        config: match.config!,
        levels,
        currentLevel: 1,
        state: 'IN_REVIEW',
        authorRole: match.authorRole,
        submittedBy: actor.userId,
        submittedAt: new Date(),
        comments,
        decidedAt: null,
      } satisfies Partial<ApprovalRequest>);
      tx.persist(review);
      const opened = this.openLevel(tx, post, review, 1);
      this.moveTo(tx, actor, post, 'PENDING_APPROVAL', { workflowId: match.workflow.id, level: 1, approverIds: levels[0].approverIds, comments });
      await tx.flush();
      return { post, review, opened };
    });
    let post = toPostResponse(done.post);
    let scheduling: SchedulingOutcome | null = null;
    if (!done.review && done.post.scheduledAt) {
      const publish = evaluate(subject, 'posts', 'publish');
      const platforms = done.post.platformPosts.getItems().map((pp) => pp.platform);
      if (publish.allowed && conditionsHold(publish.conditions, actor.userId, { ownerId: done.post.authorId, platforms })) {
        ({ post, scheduling } = await this.scheduleApproved({ ...actor, conditions: publish.conditions }, post));
      } else {
        scheduling = {
          scheduled: false,
          code: ErrorCodes.forbidden,
          title: 'Approved, but scheduling it needs the posts:publish permission',
          detail: `Someone who may publish can schedule it: POST /api/v1/posts/${done.post.id}/schedule`,
          details: {},
        };
      }
    }
    return { post, review: done.review ? toReviewResponse(done.review) : null, approvals: done.opened.map((a) => toApprovalResponse(viewOf(a))), scheduling };
  }

  /**
   * The approver's verdict on their row. Approve: an ANY level completes at once (its other open
   * rows are closed), an ALL level when its last open row approves; a completed level opens the
   * next, the last one makes the post APPROVED (then SCHEDULED if it has a time). Reject: the post
   * goes back to DRAFT, every other open row is closed, and the comment stays on the row.
   *
   * Who may act: exactly the approver named on the row. Being named (by user id or role, by an
   * admin's workflow) is the authority, so posts:approve from the role matrix is not required (an
   * EDITOR named by id may approve); a user_permissions row on posts:approve still wins when it
   * denies, or narrows to networks or own posts that this post falls outside of.
   */
  async decide(actor: Actor, subject: PermissionSubject, approvalId: string, verdict: 'APPROVED' | 'REJECTED', comments: string | null): Promise<DecisionResponse> {
    const pre = await this.em.fork().findOne(Approval, { id: approvalId, post: { workspaceId: actor.workspaceId } });
    if (!pre) throw approvalNotFound();
    if (pre.approverId !== actor.userId) {
      throw new DomainError(ApprovalErrors.notApprover, 'Only the approver named on this approval may act on it', { detail: 'Find your own approvals with GET /api/v1/approvals?mine=true' });
    }
    const postId = pre.post.id;
    const done = await this.em.fork().transactional(async (tx) => {
      await lockPost(tx, actor.workspaceId, postId);
      const post = await tx.findOneOrFail(Post, { id: postId }, { populate: ['platformPosts.account'] });
      this.assertMayApprove(subject, post);
      const row = await tx.findOneOrFail(Approval, { id: approvalId });
      if (row.status !== 'PENDING') {
        throw new DomainError(ApprovalErrors.alreadyDecided, `This approval was already ${row.status.toLowerCase()}`, { approvalStatus: row.status });
      }
      const closure = await tx.findOne(ApprovalClosure, { approval: row.id });
      const review = await tx.findOne(ApprovalRequest, { post: postId });
      if (closure || !review || review.state !== 'IN_REVIEW' || review.currentLevel !== row.level || post.status !== 'PENDING_APPROVAL') {
        const reason = closure?.reason ?? 'WITHDRAWN';
        throw new DomainError(ApprovalErrors.closed, 'This approval is closed', { detail: closedDetail(reason), closedReason: reason });
      }
      const now = new Date();
      row.status = verdict;
      row.comments = comments;
      row.approvedAt = now;
      this.audit(tx, actor, 'approval', row.id, verdict === 'APPROVED' ? 'approval.approved' : 'approval.rejected', { postId, level: row.level, comments });
      let opened: Approval[] = [];
      if (verdict === 'REJECTED') {
        await closeOpenApprovals(tx, postId, 'REJECTED', { exceptId: row.id });
        review.state = 'REJECTED';
        review.decidedAt = now;
        this.moveTo(tx, actor, post, 'DRAFT', { approvalId: row.id, level: row.level, comments });
      } else {
        const level = review.levels[row.level - 1];
        let complete: boolean;
        switch (level.mode) {
          case 'ANY':
            // The first approval decides the level; the others can no longer act on it.
            await closeOpenApprovals(tx, postId, 'LEVEL_COMPLETED', { level: row.level, exceptId: row.id });
            complete = true;
            break;
          case 'ALL':
            complete = (await this.othersOpen(tx, postId, row.level, row.id)) === 0;
            break;
        }
        if (complete && row.level < review.levels.length) {
          review.currentLevel = row.level + 1;
          opened = this.openLevel(tx, post, review, review.currentLevel);
        } else if (complete) {
          review.state = 'APPROVED';
          review.decidedAt = now;
          this.moveTo(tx, actor, post, 'APPROVED', { approvalId: row.id, workflowId: review.workflowId });
        }
      }
      await tx.flush();
      return { post, review, row, opened };
    });
    let post = toPostResponse(done.post);
    let scheduling: SchedulingOutcome | null = null;
    // The workflow's approvers vouched for the post: it is scheduled on their word.
    if (done.post.status === 'APPROVED' && done.post.scheduledAt) ({ post, scheduling } = await this.scheduleApproved({ ...actor, conditions: null }, post));
    return {
      approval: toApprovalResponse(viewOf(done.row)),
      post,
      review: toReviewResponse(done.review),
      opened: done.opened.map((a) => toApprovalResponse(viewOf(a))),
      scheduling,
    };
  }

  async list(actor: Actor, q: ListApprovalsRequest): Promise<{ items: ApprovalResponse[]; nextCursor: string | null }> {
    const limit = q.limit ?? 50;
    const where = ['p."workspaceId" = ?'];
    const params: unknown[] = [actor.workspaceId];
    // A grant narrowed to own posts or some networks lists only the caller's own approvals.
    if (q.mine || actor.conditions) {
      where.push('a."approverId" = ?');
      params.push(actor.userId);
    }
    if (q.postId) {
      where.push('a."postId" = ?');
      params.push(q.postId);
    }
    if (q.status === 'PENDING') where.push(`a.status = 'PENDING' and c."approvalId" is null`);
    else if (q.status) {
      where.push('a.status = ?');
      params.push(q.status);
    }
    if (q.cursor) {
      const { c, i } = decodeTimeIdCursor(q.cursor);
      where.push('(a."createdAt", a.id) < (?::timestamptz, ?::uuid)');
      params.push(c.toISOString(), i);
    }
    const rows = await this.views(`${SELECT_VIEW} where ${where.join(' and ')} order by a."createdAt" desc, a.id desc limit ${limit + 1}`, params);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toApprovalResponse), nextCursor: rows.length > limit ? encodeTimeIdCursor(last.createdAt, last.id) : null };
  }

  async get(actor: Actor, id: string): Promise<ApprovalResponse> {
    const [row] = await this.views(`${SELECT_VIEW} where a.id = ? and p."workspaceId" = ?`, [id, actor.workspaceId]);
    if (!row) throw approvalNotFound();
    // Your own approval is always yours to see; others' only as far as you may see the post.
    if (row.approverId !== actor.userId && actor.conditions) {
      const post = await this.em.fork().findOne(Post, { id: row.postId }, { populate: ['platformPosts'] });
      if (!post || !conditionsHold(actor.conditions, actor.userId, { ownerId: post.authorId, platforms: post.platformPosts.getItems().map((pp) => pp.platform) })) throw approvalNotFound();
    }
    return toApprovalResponse(row);
  }

  /** A post's review and every approvals row it ever had (rejection comments included), oldest first. */
  async forPost(actor: Actor, postId: string): Promise<{ postId: string; postStatus: string; review: ReviewResponse | null; items: ApprovalResponse[] }> {
    const em = this.em.fork();
    const post = await em.findOne(Post, { id: postId, workspaceId: actor.workspaceId }, { populate: ['platformPosts'] });
    if (!post || !this.visible(actor, post)) throw postNotFound();
    const review = await em.findOne(ApprovalRequest, { post: post.id });
    const rows = await this.views(`${SELECT_VIEW} where a."postId" = ? and p."workspaceId" = ? order by a."createdAt" asc, a.level asc, a.id asc`, [post.id, actor.workspaceId]);
    return { postId: post.id, postStatus: post.status, review: review ? toReviewResponse(review) : null, items: rows.map(toApprovalResponse) };
  }

  private async views(sql: string, params: unknown[]): Promise<ApprovalView[]> {
    type Raw = Omit<ApprovalView, 'approvedAt' | 'createdAt' | 'closedAt'> & { approvedAt: string | Date | null; createdAt: string | Date; closedAt: string | Date | null };
    const rows = await this.em.getConnection().execute<Raw[]>(sql, params, 'all');
    // The ORM's driver hands raw timestamps over as text.
    const at = (v: string | Date | null) => (v === null ? null : new Date(v));
    return rows.map((r) => ({ ...r, approvedAt: at(r.approvedAt), createdAt: new Date(r.createdAt), closedAt: at(r.closedAt) }));
  }

  private visible(actor: Actor, post: Post): boolean {
    return !actor.conditions || conditionsHold(actor.conditions, actor.userId, { ownerId: post.authorId, platforms: post.platformPosts.getItems().map((pp) => pp.platform) });
  }

  private async lockedPost(tx: EntityManager, actor: Actor, id: string): Promise<Post> {
    if ((await lockPost(tx, actor.workspaceId, id)) === null) throw postNotFound();
    const post = await tx.findOneOrFail(Post, { id }, { populate: ['platformPosts.account', 'campaign'] });
    // A grant narrowed to own posts or some networks sees nothing else, as if it did not exist.
    if (!this.visible(actor, post)) throw postNotFound();
    return post;
  }

  private assertMayApprove(subject: PermissionSubject, post: Post): void {
    const d = evaluate(subject, 'posts', 'approve');
    if (d.source !== 'override') return;
    const platforms = post.platformPosts.getItems().map((pp) => pp.platform);
    if (!d.allowed || !conditionsHold(d.conditions, subject.userId, { ownerId: post.authorId, platforms })) {
      throw new DomainError(ErrorCodes.forbidden, 'Your permissions do not allow approving this post', { resource: 'posts', action: 'approve' });
    }
  }

  /** Opens a level: one PENDING row per approver fixed for it at submit time. */
  private openLevel(tx: EntityManager, post: Post, review: ApprovalRequest, level: number): Approval[] {
    return review.levels[level - 1].approverIds.map((approverId) => {
      const a = new Approval();
      a.post = post;
      a.approverId = approverId;
      a.level = level;
      tx.persist(a);
      return a;
    });
  }

  private async othersOpen(tx: EntityManager, postId: string, level: number, exceptId: string): Promise<number> {
    const [{ n }] = await tx.getConnection().execute<{ n: number }[]>(
      `select count(*)::int as n from approvals a where a."postId" = ? and a.level = ? and a.status = 'PENDING' and a.id <> ?
         and not exists (select 1 from approval_closures c where c."approvalId" = a.id)`,
      [postId, level, exceptId],
      'all',
      tx.getTransactionContext(),
    );
    return n;
  }

  private moveTo(tx: EntityManager, actor: Actor, post: Post, to: Post['status'], details: Record<string, unknown>): void {
    assertTransition(post.status, to);
    const from = post.status;
    post.status = to;
    post.updatedAt = new Date();
    this.audit(tx, actor, 'post', post.id, 'post.status_changed', { before: { status: from }, after: { status: to }, ...details });
  }

  /** Hands an APPROVED post to the scheduler; if it refuses (e.g. the content no longer fits a network), the post stays APPROVED and the answer says why. */
  private async scheduleApproved(actor: Actor, post: PostResponse): Promise<{ post: PostResponse; scheduling: SchedulingOutcome }> {
    try {
      const scheduled = await this.scheduling.schedule(actor, post.id, false);
      return { post: scheduled, scheduling: { scheduled: true, scheduledAt: scheduled.scheduledAt } };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const { detail, ...details } = err.details ?? {};
      return { post, scheduling: { scheduled: false, code: err.code, title: err.message, detail: typeof detail === 'string' ? detail : null, details } };
    }
  }

  private audit(em: EntityManager, actor: Actor, resourceType: string, resourceId: string, action: string, details: Record<string, unknown>): void {
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      { action, resourceType, resourceId, userId: actor.userId, userName: null, userEmail: null, details, ipAddress: null, userAgent: null },
      { subject: actor.workspaceId, workspaceId: actor.workspaceId, actor: { type: 'user', id: actor.userId } },
    );
  }
}

function closedDetail(reason: string): string {
  switch (reason) {
    case 'LEVEL_COMPLETED':
      return 'Another approver of this level already approved it';
    case 'REJECTED':
      return 'The post was rejected';
    default:
      return 'The post is no longer in this review';
  }
}
