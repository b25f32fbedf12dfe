import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The scheduler's durable work item for one platform_posts row (kept apart from the contract's
 * tables). Claimed with FOR UPDATE SKIP LOCKED and a lease: a replica that dies mid-publish
 * leaves an expired lease, and the next claim reconciles with the network before any retry.
 */
@Entity({ tableName: 'publish_jobs' })
@Index({ name: 'publish_jobs_due_idx', expression: `create index "publish_jobs_due_idx" on "publish_jobs" ("nextAttemptAt") where "state" = 'pending'` })
@Index({ name: 'publish_jobs_open_due_idx', expression: `create index "publish_jobs_open_due_idx" on "publish_jobs" ("dueAt") where "state" <> 'done'` })
@Index({ name: 'publish_jobs_lease_idx', expression: `create index "publish_jobs_lease_idx" on "publish_jobs" ("leaseUntil") where "state" = 'in_flight'` })
@Index({ name: 'publish_jobs_sent_idx', expression: `create index "publish_jobs_sent_idx" on "publish_jobs" ("firstAttemptAt") where "firstAttemptAt" is not null` })
export class PublishJob {
  @PrimaryKey({ type: 'uuid' })
  platformPostId!: string;

  @Property({ type: 'uuid' })
  postId!: string;

  @Property({ type: 'uuid' })
  workspaceId!: string;

  /** pending → in_flight → done (or back to pending for a retry). */
  @Property({ type: 'text' })
  state: 'pending' | 'in_flight' | 'done' = 'pending';

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  dueAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  nextAttemptAt!: Date;

  @Property({ type: 'integer' })
  attempts = 0;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  leaseUntil: Date | null = null;

  @Property({ type: 'text', nullable: true })
  leasedBy: string | null = null;

  /** When the first create was sent: reconciliation looks for our post from then on. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  firstAttemptAt: Date | null = null;

  /** A create may have reached the network: look for it before creating again. */
  @Property({ type: 'boolean' })
  mustReconcile = false;

  /** The exact text sent (the marker reconciliation matches). */
  @Property({ type: 'text', nullable: true })
  sentText: string | null = null;

  @Property({ type: 'text', nullable: true })
  lastError: string | null = null;
}
