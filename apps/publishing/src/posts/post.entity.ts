import { Collection, Entity, Enum, Index, ManyToOne, OneToMany, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { POST_STATUSES, type PostStatus } from '@lib/contracts';
import { Campaign } from '../campaigns/campaign.entity';
import { PlatformPost } from './platform-post.entity';

/** What a post says: `{text, hashtags, mentions, link}`. */
export interface PostContent {
  text: string;
  hashtags?: string[];
  mentions?: string[];
  link?: string | null;
}

@Entity({ tableName: 'posts' })
@Index({ properties: ['workspaceId'] })
@Index({ properties: ['authorId'] })
@Index({ properties: ['status'] })
@Index({ properties: ['scheduledAt'] })
@Index({ properties: ['publishedAt'] })
@Index({ properties: ['campaign'] })
@Index({ properties: ['workspaceId', 'status', 'scheduledAt'] })
@Index({ properties: ['workspaceId', 'createdAt'] })
export class Post {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'uuid' })
  authorId!: string;

  @Property({ type: 'json' })
  content!: PostContent;

  @Enum({ items: [...POST_STATUSES], nativeEnumName: 'post_status' })
  status: PostStatus = 'DRAFT';

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  scheduledAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  publishedAt: Date | null = null;

  @ManyToOne(() => Campaign, { fieldName: 'campaignId', nullable: true, deleteRule: 'set null' })
  campaign: Campaign | null = null;

  @Property({ type: 'array', columnType: 'text[]' })
  tags: string[] = [];

  @Property({ type: 'boolean' })
  aiGenerated: boolean = false;

  @Property({ type: 'json', nullable: true })
  aiMetadata: Record<string, unknown> | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @OneToMany(() => PlatformPost, (pp) => pp.post)
  platformPosts = new Collection<PlatformPost>(this);
}
