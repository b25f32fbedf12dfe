import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { WORKFLOW_TYPES, type WorkflowType } from '@lib/contracts';

@Entity({ tableName: 'workflows' })
@Index({ properties: ['workspaceId'] })
@Index({ properties: ['workspaceId', 'type', 'isActive'] })
export class Workflow {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'string' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Enum({ items: [...WORKFLOW_TYPES], nativeEnumName: 'workflow_type' })
  type!: WorkflowType;

  @Property({ type: 'json' })
  config: Record<string, unknown> = {};

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
