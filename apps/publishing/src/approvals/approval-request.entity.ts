import { Entity, Enum, Index, ManyToOne, Property } from '@mikro-orm/core';
import type { Rel } from '@mikro-orm/core';
import type { Role } from '@lib/permissions';
import { Post } from '../posts/post.entity';
import type { ApprovalConfig, ApprovalMode } from './approval-config';

export const REVIEW_STATES = ['IN_REVIEW', 'APPROVED', 'REJECTED', 'WITHDRAWN'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

/** One level of a review as it was fixed at submit time: who may approve it, and how many must. */
export interface ResolvedLevel {
  mode: ApprovalMode;
  approverIds: string[];
}

/**
 * A post's current (latest) trip through an approval workflow, kept beside the contract's
 * `approvals` rows. The workflow's config and the approvers of every level are copied here when
 * the post is submitted, so editing or deleting the workflow (or a member changing role) never
 * changes a review that is already under way.
 */
@Entity({ tableName: 'approval_requests' })
@Index({ properties: ['workspaceId', 'state'] })
export class ApprovalRequest {
  @ManyToOne(() => Post, { primary: true, fieldName: 'postId', deleteRule: 'cascade' })
  post!: Rel<Post>;

  @Property({ type: 'uuid' })
  workspaceId!: string;

  /** No foreign key on purpose: deleting the workflow leaves reviews under way untouched. */
  @Property({ type: 'uuid' })
  workflowId!: string;

  @Property({ type: 'text' })
  workflowName!: string;

  /** The workflow's config at submit time. */
  @Property({ type: 'json' })
  config!: ApprovalConfig;

  /** Approvers of every level, resolved at submit time (author excluded). */
  @Property({ type: 'json' })
  levels!: ResolvedLevel[];

  /** 1-based, as `approvals.level`. */
  @Property({ type: 'integer' })
  currentLevel: number = 1;

  @Enum({ items: [...REVIEW_STATES], type: 'text' })
  state: ReviewState = 'IN_REVIEW';

  /** The author's role used to match the workflow's conditions; null when it was unknown. */
  @Property({ type: 'text', nullable: true })
  authorRole: Role | null = null;

  @Property({ type: 'uuid' })
  submittedBy!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  submittedAt: Date = new Date();

  @Property({ type: 'text', nullable: true })
  comments: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  decidedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
