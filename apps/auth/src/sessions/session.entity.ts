import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { User } from '../users/user.entity';

/**
 * One sign-in: the family of refresh tokens that descend from it by rotation. Its id is the
 * `sid` claim of every access token issued in it; revoking it ends them all at auth.
 */
@Entity({ tableName: 'sessions' })
@Index({ name: 'sessions_userId_index', properties: ['user'] })
export class Session {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => User, { fieldName: 'userId', deleteRule: 'cascade' })
  user!: User;

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  /** The family ends here whatever the rotations: a sign-in lasts at most this long. */
  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  /** logout, reuse_detected, deactivated, removed, … */
  @Property({ type: 'text', nullable: true })
  revokedReason: string | null = null;

  @Property({ type: 'text', nullable: true })
  ipAddress: string | null = null;

  @Property({ type: 'text', nullable: true })
  userAgent: string | null = null;

  isActive(now: Date): boolean {
    return this.revokedAt === null && this.expiresAt > now;
  }
}
