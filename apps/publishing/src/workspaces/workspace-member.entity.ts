import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import type { Role } from '@lib/permissions';

/** Members and their roles, projected from auth's user.* events (approvers by role need them). */
@Entity({ tableName: 'workspace_members' })
@Index({ properties: ['workspaceId', 'role'] })
export class WorkspaceMemberRow {
  @PrimaryKey({ type: 'uuid' })
  workspaceId!: string;

  @PrimaryKey({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'text' })
  role!: Role;

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  updatedAt!: Date;
}
