import { Entity, Index, PrimaryKey, Property, SerializedPrimaryKey, Unique } from '@mikro-orm/core';
import { ObjectId } from '@mikro-orm/mongodb';

/**
 * One audit entry (SCHEMA.md `audit_logs`), plus its place in the workspace's hash chain:
 * `seq` (1, 2, … per workspace), `prevHash`, `hash` (of prevHash and the entry's canonical
 * content) and the `eventId` it came from (unique: a redelivered event is stored once).
 */
@Entity({ collection: 'audit_logs' })
@Index({ properties: ['workspaceId', 'timestamp'] })
@Index({ properties: ['userId', 'timestamp'] })
@Index({ properties: ['action', 'timestamp'] })
@Index({ properties: ['resourceType', 'resourceId'] })
@Index({ properties: ['timestamp'] })
@Unique({ properties: ['workspaceId', 'seq'] })
@Unique({ properties: ['eventId'], options: { partialFilterExpression: { eventId: { $type: 'string' } } } })
export class AuditLog {
  @PrimaryKey({ type: 'ObjectId' })
  _id!: ObjectId;

  @SerializedPrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'string' })
  workspaceId!: string;

  @Property({ type: 'string', nullable: true })
  userId!: string | null;

  @Property({ type: 'string', nullable: true })
  userName!: string | null;

  @Property({ type: 'string', nullable: true })
  userEmail!: string | null;

  @Property({ type: 'string' })
  action!: string;

  @Property({ type: 'string' })
  resourceType!: string;

  @Property({ type: 'string' })
  resourceId!: string;

  @Property({ type: 'json' })
  details!: Record<string, unknown>;

  @Property({ type: 'string', nullable: true })
  ipAddress!: string | null;

  @Property({ type: 'string', nullable: true })
  userAgent!: string | null;

  @Property({ type: 'Date' })
  timestamp!: Date;

  @Property({ type: 'number' })
  seq!: number;

  @Property({ type: 'string' })
  prevHash!: string;

  @Property({ type: 'string' })
  hash!: string;

  /** Null only for checkpoint entries, which no event produced. */
  @Property({ type: 'string', nullable: true })
  eventId!: string | null;
}

/** The plan of each workspace, projected from workspace.* events, for retention. */
@Entity({ collection: 'workspace_plans' })
export class WorkspacePlan {
  @PrimaryKey({ type: 'string' })
  _id!: string;

  @Property({ type: 'string' })
  plan!: string;

  @Property({ type: 'Date' })
  updatedAt!: Date;
}

export const AUDIT_ENTITIES = [AuditLog, WorkspacePlan];
