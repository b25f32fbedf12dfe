import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import type { Rel } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { APPROVAL_STATUSES, type ApprovalStatus } from '@lib/contracts';
import { Post } from '../posts/post.entity';

@Entity({ tableName: 'approvals' })
@Index({ properties: ['post'] })
@Index({ properties: ['approverId'] })
@Index({ properties: ['post', 'status'] })
@Index({ properties: ['approverId', 'status'] })
export class Approval {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Post, { fieldName: 'postId', deleteRule: 'cascade' })
  post!: Rel<Post>;

  @Property({ type: 'uuid' })
  approverId!: string;

  @Enum({ items: [...APPROVAL_STATUSES], nativeEnumName: 'approval_status' })
  status: ApprovalStatus = 'PENDING';

  @Property({ type: 'text', nullable: true })
  comments: string | null = null;

  @Property({ type: 'integer' })
  level!: number;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  approvedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
