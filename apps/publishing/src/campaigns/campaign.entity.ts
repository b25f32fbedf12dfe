import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { CAMPAIGN_STATUSES, type CampaignStatus } from '@lib/contracts';

@Entity({ tableName: 'campaigns' })
@Index({ properties: ['workspaceId'] })
@Index({ properties: ['status'] })
@Index({ properties: ['workspaceId', 'startDate'] })
@Index({ properties: ['workspaceId', 'status'] })
export class Campaign {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'string' })
  name!: string;

  @Property({ type: 'text', nullable: true })
  description: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  startDate!: Date;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  endDate!: Date;

  @Property({ type: 'json' })
  goals: Record<string, unknown> = {};

  @Property({ type: 'double', nullable: true })
  budget: number | null = null;

  @Property({ type: 'array', columnType: 'text[]' })
  tags: string[] = [];

  @Property({ type: 'json' })
  utmParams: Record<string, string> = {};

  @Enum({ items: [...CAMPAIGN_STATUSES], nativeEnumName: 'campaign_status' })
  status: CampaignStatus = 'DRAFT';

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
