import { Entity, EntityRepository, EntityRepositoryType, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { ROLES, type Role } from '@lib/permissions';
import { Workspace } from '../workspaces/workspace.entity';

export class UserRepository extends EntityRepository<User> {
  /** Active members of a workspace (what the plan's `users` limit counts). */
  countActive(workspaceId: string): Promise<number> {
    return this.count({ workspace: workspaceId, isActive: true });
  }

  /** A member of this workspace, or null: another workspace's user is simply not found. */
  findInWorkspace(workspaceId: string, id: string): Promise<User | null> {
    return this.findOne({ id, workspace: workspaceId });
  }
}

/** A member of exactly one workspace. Emails are stored trimmed and lower-cased. */
@Entity({ tableName: 'users', repository: () => UserRepository })
@Index({ name: 'users_workspaceId_index', properties: ['workspace'] })
@Index({ name: 'users_workspaceId_role_index', properties: ['workspace', 'role'] })
@Index({ name: 'users_isActive_index', properties: ['isActive'] })
export class User {
  [EntityRepositoryType]?: UserRepository;

  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'string', unique: 'users_email_unique' })
  email!: string;

  /** bcrypt hash; never serialised. */
  @Property({ type: 'string', hidden: true, lazy: false })
  password!: string;

  @Property({ type: 'string' })
  name!: string;

  @Property({ type: 'string', nullable: true })
  avatar: string | null = null;

  @Enum({ items: [...ROLES], nativeEnumName: 'user_role' })
  role!: Role;

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @ManyToOne(() => Workspace, { fieldName: 'workspaceId', deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'json' })
  preferences: Record<string, unknown> = {};

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
