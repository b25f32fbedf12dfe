import { Entity, Enum, Index, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { v7 as uuidv7 } from 'uuid';
import { PLATFORMS, type Platform } from '@lib/contracts';

/**
 * A connection in progress: the OAuth `state` handed to the network, kept server-side with who
 * asked. Only its SHA-256 is stored (the value travels in the browser's URL); the PKCE verifier
 * is encrypted like every token. One use, ten minutes.
 */
@Entity({ tableName: 'oauth_states' })
@Index({ properties: ['expiresAt'] })
export class OAuthState {
  @PrimaryKey({ type: 'uuid' })
  id: string = uuidv7();

  /** base64url SHA-256 of the state value. */
  @Property({ type: 'string', length: 64 })
  @Unique()
  stateHash!: string;

  @Property({ type: 'uuid' })
  workspaceId!: string;

  @Property({ type: 'uuid' })
  userId!: string;

  @Enum({ items: [...PLATFORMS], nativeEnumName: 'platform' })
  platform!: Platform;

  /** Ciphertext of the PKCE verifier, for networks that need PKCE. */
  @Property({ type: 'text', nullable: true, hidden: true })
  codeVerifier: string | null = null;

  @Property({ type: 'text' })
  redirectUri!: string;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  expiresAt!: Date;

  /** Set when the callback consumed it; a second use is refused. */
  @Property({ type: 'datetime', columnType: 'timestamptz', nullable: true })
  usedAt: Date | null = null;

  @Property({ type: 'datetime', columnType: 'timestamptz' })
  createdAt: Date = new Date();
}
