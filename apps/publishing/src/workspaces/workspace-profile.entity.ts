import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import type { Plan, WorkspaceLimits } from '@lib/contracts';

/**
 * What publishing knows of a workspace: a projection of auth's workspace.created/updated events
 * (plan, limits, time zone, whether posts need approval). Only a newer event moves a row (`updatedAt` is the event time).
 */
@Entity({ tableName: 'workspace_profiles' })
export class WorkspaceProfileRow {
  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'text' })
  plan!: Plan;

  @Property({ type: 'text' })
  timeZone: string = 'UTC';

  @Property({ type: 'json' })
  limits!: WorkspaceLimits;

  /** `settings.defaults.requireApproval`: every new post needs approval before it is scheduled. */
  @Property({ type: 'boolean', default: false })
  requireApproval: boolean = false;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
