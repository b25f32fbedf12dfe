import type { MediaKind } from './limits';
import type { Platform } from './platform';

// One small interface per capability; a connector implements the ones its network's API allows.
// Every method throws ConnectorError (classified) on failure and never logs or returns a token
// it was not asked for.

/** What a call acts as: the network's id of the account and its current access token. */
export interface AccountCredentials {
  /** The network's id: X user id, Facebook page id, LinkedIn person/organization URN. */
  accountId: string;
  accessToken: string;
}

export interface TokenSet {
  accessToken: string;
  /** Absent when the network issued none: never overwrite a stored refresh token with an empty one. */
  refreshToken?: string;
  /** When the access token expires; undefined when the network did not say. */
  expiresAt?: Date;
  refreshTokenExpiresAt?: Date;
  scopes: string[];
}

export interface AuthorizationRequest {
  /** Opaque value tied to the user's session; checked on the callback (CSRF). */
  state: string;
  redirectUri: string;
  /** S256 challenge of the verifier kept server-side; required for networks that need PKCE. */
  codeChallenge?: string;
  /** Defaults to the connector's configured scopes. */
  scopes?: string[];
}

export interface Profile {
  /** The network's id of the person who connected. */
  id: string;
  username?: string;
  name?: string;
  avatarUrl?: string;
}

export interface OAuthCapability {
  readonly platform: Platform;
  /** Does this network need PKCE (send `codeChallenge`, then the verifier to `exchangeCode`)? */
  readonly requiresPkce: boolean;
  authorizationUrl(req: AuthorizationRequest): string;
  exchangeCode(req: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet>;
  fetchProfile(accessToken: string): Promise<Profile>;
}

export interface TokenRefreshCapability {
  /** The answer's refresh token replaces the stored one when present (X rotates: the old one stops working). */
  refreshToken(refreshToken: string): Promise<TokenSet>;
}

export interface TokenRevokeCapability {
  revoke(token: string): Promise<void>;
}

/** Media ready to be sent: bytes for networks that take uploads, a public URL for Meta. */
export interface MediaUpload {
  kind: MediaKind;
  mimeType: string;
  bytes?: Buffer;
  url?: string;
  /** Alt text, where the network supports it. */
  altText?: string;
  durationSec?: number;
}

export interface UploadedMedia {
  /** The network's media id (X media id, Graph photo id, LinkedIn image URN). */
  id: string;
  kind: MediaKind;
}

export interface MediaUploadCapability {
  uploadMedia(account: AccountCredentials, media: MediaUpload): Promise<UploadedMedia>;
}

export interface PublishRequest {
  text: string;
  /** Media already uploaded with `uploadMedia` (Facebook also accepts them from public URLs in `uploadMedia`). */
  media?: readonly UploadedMedia[];
}

export interface PublishedPost {
  /** The network's post id. */
  externalId: string;
  url?: string;
  /** When the network created it (ours if it did not say). */
  publishedAt: Date;
}

export interface PublishCapability {
  publish(account: AccountCredentials, req: PublishRequest): Promise<PublishedPost>;
}

/**
 * What identifies one of our posts among the account's recent ones. The marker is the post's own
 * text exactly as sent to `publish`: nothing is added to the content (no hidden characters),
 * because none of X v2, Graph Pages feed or LinkedIn Posts takes a client idempotency key or
 * hidden metadata on create. See README for the per-network matching rule.
 */
export interface PublishMarker {
  text: string;
  /** Number of media items sent, to tell apart two posts with the same text. */
  mediaCount?: number;
}

export interface ReconcileCapability {
  /** Our post created at or after `since` with this marker, or null when there is none. Never creates anything. */
  findRecentByMarker(account: AccountCredentials, marker: PublishMarker, since: Date): Promise<PublishedPost | null>;
}

export interface PostMetrics {
  externalId: string;
  collectedAt: Date;
  /** Metric name to value, in the network's names (like_count, reactions, …). */
  values: Record<string, number>;
}

export interface MetricsCapability {
  fetchPostMetrics(account: AccountCredentials, externalId: string): Promise<PostMetrics>;
}

export interface Comment {
  externalId: string;
  authorId?: string;
  authorName?: string;
  text: string;
  createdAt?: Date;
}

export interface CommentsCapability {
  fetchComments(account: AccountCredentials, externalId: string): Promise<Comment[]>;
}

export interface DirectMessage {
  externalId: string;
  conversationId: string;
  senderId: string;
  text: string;
  createdAt?: Date;
}

export interface DirectMessagesCapability {
  fetchDirectMessages(account: AccountCredentials, since?: Date): Promise<DirectMessage[]>;
}

export interface ReplyCapability {
  /** Answers a post or comment (`inReplyTo` is the network's id of it). */
  reply(account: AccountCredentials, inReplyTo: string, text: string): Promise<PublishedPost>;
}

export interface RateLimitState {
  /** Calls left in the current window, when the network says. */
  remaining?: number;
  limit?: number;
  /** When the window resets, when the network says. */
  resetAt?: Date;
  /** Meta: highest usage percentage reported (back off before 100). */
  usagePercent?: number;
  observedAt: Date;
}

export interface RateLimitCapability {
  /** Last state the network reported for the account (or app-wide when it reports that), if any call was made. */
  rateLimitState(accountId: string): RateLimitState | undefined;
}

export type Connector = OAuthCapability & PublishCapability & ReconcileCapability & MediaUploadCapability & RateLimitCapability & {
  close(): Promise<void>;
};

/** Optional capabilities, checked at run time on a connector typed as `Connector`. */
export function canRefreshTokens(c: object): c is TokenRefreshCapability {
  return typeof (c as Partial<TokenRefreshCapability>).refreshToken === 'function';
}

export function canRevokeTokens(c: object): c is TokenRevokeCapability {
  return typeof (c as Partial<TokenRevokeCapability>).revoke === 'function';
}

export function canFetchMetrics(c: object): c is MetricsCapability {
  return typeof (c as Partial<MetricsCapability>).fetchPostMetrics === 'function';
}

export function canFetchComments(c: object): c is CommentsCapability {
  return typeof (c as Partial<CommentsCapability>).fetchComments === 'function';
}

export function canReply(c: object): c is ReplyCapability {
  return typeof (c as Partial<ReplyCapability>).reply === 'function';
}

export function canFetchDirectMessages(c: object): c is DirectMessagesCapability {
  return typeof (c as Partial<DirectMessagesCapability>).fetchDirectMessages === 'function';
}
