import { Entity, Enum, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { MEDIA_TYPES, type MediaType } from '@lib/contracts';

@Entity({ tableName: 'media_assets' })
@Index({ properties: ['workspaceId'] })
@Index({ properties: ['type'] })
@Index({ properties: ['folder'] })
@Index({ properties: ['workspaceId', 'createdAt'] })
// Library filters: folder (exact and prefix) within a workspace, and tag containment.
@Index({ properties: ['workspaceId', 'folder'] })
@Index({ name: 'media_assets_tags_idx', expression: `create index "media_assets_tags_idx" on "media_assets" using gin ("tags")` })
export class MediaAsset {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Enum({ items: [...MEDIA_TYPES], nativeEnumName: 'media_type' })
  type!: MediaType;

  @Property({ type: 'text' })
  url!: string;

  @Property({ type: 'text', nullable: true })
  thumbnailUrl: string | null = null;

  @Property({ type: 'string' })
  filename!: string;

  /** Bytes. */
  @Property({ type: 'integer' })
  size!: number;

  @Property({ type: 'json', nullable: true })
  dimensions: { width: number; height: number } | null = null;

  /** Seconds, for video. */
  @Property({ type: 'integer', nullable: true })
  duration: number | null = null;

  @Property({ type: 'json' })
  metadata: Record<string, unknown> = {};

  @Property({ type: 'array', columnType: 'text[]' })
  tags: string[] = [];

  @Property({ type: 'string', nullable: true })
  folder: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
