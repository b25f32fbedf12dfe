import type { ApprovalStatus } from '@lib/contracts';
import type { ApprovalRequest } from './approval-request.entity';
import type { CloseReason } from './approval-closure.entity';

/** An approvals row with its closure, as the queries read it. */
export interface ApprovalView {
  id: string;
  postId: string;
  approverId: string;
  status: ApprovalStatus;
  comments: string | null;
  level: number;
  approvedAt: Date | null;
  createdAt: Date;
  closedReason: CloseReason | null;
  closedAt: Date | null;
}

/** What clients see of one approver's row. */
export function toApprovalResponse(a: ApprovalView) {
  return {
    id: a.id,
    postId: a.postId,
    approverId: a.approverId,
    level: a.level,
    /** PENDING, APPROVED or REJECTED, as stored; a closed row stays PENDING (nobody decided it). */
    status: a.status,
    comments: a.comments,
    /** When the approver approved or rejected (the `approvedAt` column holds either decision's time). */
    decidedAt: a.approvedAt?.toISOString() ?? null,
    /** True while the approver can still act on it. */
    open: a.status === 'PENDING' && a.closedReason === null,
    closedReason: a.closedReason,
    closedAt: a.closedAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}

export type ApprovalResponse = ReturnType<typeof toApprovalResponse>;

/** The post's latest review: which workflow, where it stands, and every level's approvers. */
export function toReviewResponse(r: ApprovalRequest) {
  return {
    workflowId: r.workflowId,
    workflowName: r.workflowName,
    state: r.state,
    currentLevel: r.currentLevel,
    levels: r.levels.map((l, i) => ({ level: i + 1, mode: l.mode, approverIds: l.approverIds })),
    authorRole: r.authorRole,
    submittedBy: r.submittedBy,
    submittedAt: r.submittedAt.toISOString(),
    comments: r.comments,
    decidedAt: r.decidedAt?.toISOString() ?? null,
  };
}

export type ReviewResponse = ReturnType<typeof toReviewResponse>;
