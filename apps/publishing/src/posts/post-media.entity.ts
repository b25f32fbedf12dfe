import { Entity, Index, ManyToOne, Property } from '@mikro-orm/core';
import type { Rel } from '@mikro-orm/core';
import { MediaAsset } from '../media/media-asset.entity';
import { Post } from './post.entity';

/** A post's media, in display order. */
@Entity({ tableName: 'post_media' })
// Deleting an asset looks up the posts using it (the primary key leads with postId).
@Index({ properties: ['media'] })
export class PostMedia {
  @ManyToOne(() => Post, { primary: true, fieldName: 'postId', deleteRule: 'cascade' })
  post!: Rel<Post>;

  @ManyToOne(() => MediaAsset, { primary: true, fieldName: 'mediaId', deleteRule: 'cascade' })
  media!: Rel<MediaAsset>;

  @Property({ type: 'integer', fieldName: 'order' })
  order!: number;
}
