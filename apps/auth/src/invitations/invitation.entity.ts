import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { ROLES, type Role } from '@lib/permissions';
import { Workspace } from '../workspaces/workspace.entity';

/** An invitation to join a workspace. Only the SHA-256 of its token is stored. */
@Entity({ tableName: 'invitations' })
@Index({ name: 'invitations_workspaceId_email_index', properties: ['workspace', 'email'] })
export class Invitation {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Workspace, { fieldName: 'workspaceId', deleteRule: 'cascade' })
  workspace!: Workspace;

  @Property({ type: 'string' })
  email!: string;

  @Enum({ items: [...ROLES], nativeEnumName: 'user_role' })
  role!: Role;

  @Property({ type: 'text', unique: 'invitations_tokenHash_unique' })
  tokenHash!: string;

  @Property({ type: 'uuid' })
  invitedById!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  acceptedAt: Date | null = null;

  isPending(now: Date): boolean {
    return this.acceptedAt === null && this.expiresAt > now;
  }
}
