import { Entity, Enum, ManyToOne, Property } from '@mikro-orm/core';
import type { Rel } from '@mikro-orm/core';
import { Approval } from './approval.entity';

/**
 * Why a PENDING approval can no longer be acted on: another approver completed its ANY level,
 * someone rejected the post, or the post was taken back to DRAFT. The contract's approval_status
 * has no such value, so the row keeps PENDING (nobody decided it) and this marks it closed.
 */
export const CLOSE_REASONS = ['LEVEL_COMPLETED', 'REJECTED', 'WITHDRAWN'] as const;
export type CloseReason = (typeof CLOSE_REASONS)[number];

@Entity({ tableName: 'approval_closures' })
export class ApprovalClosure {
  @ManyToOne(() => Approval, { primary: true, fieldName: 'approvalId', deleteRule: 'cascade' })
  approval!: Rel<Approval>;

  @Enum({ items: [...CLOSE_REASONS], type: 'text' })
  reason!: CloseReason;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  closedAt: Date = new Date();
}
