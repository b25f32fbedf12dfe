/** Stable error codes of approval workflows (the suffix decides the HTTP status). */
export const ApprovalErrors = {
  workflowNotFound: 'PUBLISHING.WORKFLOW_NOT_FOUND',
  approvalNotFound: 'PUBLISHING.APPROVAL_NOT_FOUND',
  /** Someone other than the row's approver tried to act on it. */
  notApprover: 'PUBLISHING.NOT_APPROVER_FORBIDDEN',
  /** The row was already approved or rejected. */
  alreadyDecided: 'PUBLISHING.APPROVAL_ALREADY_DECIDED_CONFLICT',
  /** The row is still PENDING but closed: its ANY level completed, the post was rejected or withdrawn. */
  closed: 'PUBLISHING.APPROVAL_CLOSED_CONFLICT',
  /** A workflow applies: the post must be submitted and approved before it is scheduled. */
  approvalRequired: 'PUBLISHING.APPROVAL_REQUIRED_CONFLICT',
  /** The post is in review: it is scheduled when its last level approves. */
  inReview: 'PUBLISHING.APPROVAL_PENDING_CONFLICT',
  /** A level of the matching workflow resolves to nobody who may approve the post. */
  noApprover: 'PUBLISHING.APPROVAL_LEVEL_UNPROCESSABLE',
} as const;
