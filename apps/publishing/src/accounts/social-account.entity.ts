import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { PLATFORMS, type Platform } from '@lib/contracts';

/** A connected account on one network. Tokens are stored encrypted (AES-256-GCM with a key id). */
@Entity({ tableName: 'social_accounts' })
@Index({ properties: ['workspaceId'] })
@Index({ properties: ['platform'] })
@Index({ properties: ['isActive'] })
@Unique({ properties: ['workspaceId', 'platform', 'platformAccountId'] })
export class SocialAccount {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Enum({ items: [...PLATFORMS], nativeEnumName: 'platform' })
  platform!: Platform;

  @Property({ type: 'string' })
  platformAccountId!: string;

  @Property({ type: 'string' })
  username!: string;

  @Property({ type: 'string' })
  displayName!: string;

  @Property({ type: 'string', nullable: true })
  avatar: string | null = null;

  /** Ciphertext (`<keyId>:<iv>:<tag>:<data>`), never the token. */
  @Property({ type: 'text', hidden: true })
  accessToken!: string;

  @Property({ type: 'text', hidden: true, nullable: true })
  refreshToken: string | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  tokenExpiry: Date | null = null;

  @Property({ type: 'boolean' })
  isActive: boolean = true;

  @Property({ type: 'json' })
  metadata: Record<string, unknown> = {};

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', columnType: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
