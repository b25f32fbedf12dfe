import { Entity, Enum, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import type { Rel } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { PLATFORMS, PUBLISH_STATUSES, type Platform, type PublishStatus } from '@lib/contracts';
import { SocialAccount } from '../accounts/social-account.entity';
import type { PostContent } from './post.entity';
import { Post } from './post.entity';

/** One target network of a post: a state machine PENDING → PUBLISHING → PUBLISHED | FAILED. */
@Entity({ tableName: 'platform_posts' })
@Index({ properties: ['post'] })
@Index({ properties: ['account'] })
@Index({ properties: ['publishStatus'] })
@Index({ properties: ['platform', 'publishStatus'] })
export class PlatformPost {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @ManyToOne(() => Post, { fieldName: 'postId', deleteRule: 'cascade' })
  post!: Rel<Post>;

  @ManyToOne(() => SocialAccount, { fieldName: 'accountId', deleteRule: 'cascade' })
  account!: Rel<SocialAccount>;

  @Enum({ items: [...PLATFORMS], nativeEnumName: 'platform' })
  platform!: Platform;

  /** Per-network overrides of the post's content. */
  @Property({ type: 'json', nullable: true })
  customContent: Partial<PostContent> | null = null;

  /** The network's id of the published post. */
  @Property({ type: 'string', nullable: true })
  platformPostId: string | null = null;

  @Enum({ items: [...PUBLISH_STATUSES], nativeEnumName: 'publish_status' })
  publishStatus: PublishStatus = 'PENDING';

  @Property({ type: 'text', nullable: true })
  error: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  publishedAt: Date | null = null;
}
