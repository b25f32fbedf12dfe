import type {
  AccountCredentials,
  AuthorizationRequest,
  Comment,
  CommentsCapability,
  Connector,
  MetricsCapability,
  PostMetrics,
  MediaUpload,
  Profile,
  PublishedPost,
  PublishMarker,
  PublishRequest,
  ReplyCapability,
  TokenRefreshCapability,
  TokenRevokeCapability,
  TokenSet,
  UploadedMedia,
} from '../capabilities';
import { ConnectorError } from '../connector-error';
import { HttpConnector, type ConnectorDeps, type HttpConnectorConfig } from '../http-connector';
import { form, header, withQuery, type HttpAnswer, type HttpCall } from '../network-http';
import { normalizeText, tokenSetFrom } from '../oauth';
import { classifyLinkedIn } from './linkedin.errors';

export interface LinkedInConnectorConfig extends HttpConnectorConfig {
  /** `https://api.linkedin.com`. */
  apiBaseUrl: string;
  /** `https://www.linkedin.com` (authorization page, token and revoke endpoints). */
  oauthBaseUrl: string;
  /** `Linkedin-Version`, YYYYMM. LinkedIn retires versions after about a year (426). */
  version: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
}

interface LinkedInPost {
  id: string;
  commentary?: string;
  createdAt?: number;
  publishedAt?: number;
  content?: { media?: { id: string }; multiImage?: { images: { id: string }[] } };
}

const DEFAULT_SCOPES = ['openid', 'profile', 'email', 'w_member_social'];
// "little text" reserved characters: LinkedIn reads them as markup unless escaped.
const LITTLE_TEXT_RESERVED = /[\\|{}@[\]()<>#*_~]/g;

/** Escapes text for the `commentary` field, so it shows exactly as written. */
export function escapeLittleText(text: string): string {
  return text.replace(LITTLE_TEXT_RESERVED, (c) => `\\${c}`);
}

/**
 * LinkedIn Posts API (`/rest/posts`, versioned) for members. Refresh tokens exist only for
 * approved partners and do not rotate. `accountId` is the author URN (`urn:li:person:…`), which
 * `fetchProfile` returns as the profile id.
 */
export class LinkedInConnector extends HttpConnector implements Connector, TokenRefreshCapability, TokenRevokeCapability, MetricsCapability, CommentsCapability, ReplyCapability {
  readonly platform = 'LINKEDIN' as const;
  readonly requiresPkce = false;

  constructor(
    private readonly config: LinkedInConnectorConfig,
    deps: ConnectorDeps = {},
  ) {
    super('LINKEDIN', config, classifyLinkedIn, deps);
  }

  authorizationUrl(req: AuthorizationRequest): string {
    return withQuery(`${this.config.oauthBaseUrl}/oauth/v2/authorization`, {
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: req.redirectUri,
      state: req.state,
      scope: (req.scopes ?? this.config.scopes ?? DEFAULT_SCOPES).join(' '),
    });
  }

  async exchangeCode(req: { code: string; redirectUri: string }): Promise<TokenSet> {
    return this.token({ grant_type: 'authorization_code', code: req.code, redirect_uri: req.redirectUri }, [req.code]);
  }

  /** Partner apps only; LinkedIn returns the same refresh token (no rotation) with its remaining lifetime. */
  async refreshToken(refreshToken: string): Promise<TokenSet> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, [refreshToken]);
  }

  async revoke(token: string): Promise<void> {
    await this.http.call({
      method: 'POST',
      url: `${this.config.oauthBaseUrl}/oauth/v2/revoke`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ client_id: this.config.clientId, client_secret: this.config.clientSecret, token }),
      sideEffect: false,
      secrets: [token, this.config.clientSecret],
    });
  }

  /** OpenID userinfo; the id is the member URN used as `accountId`. */
  async fetchProfile(accessToken: string): Promise<Profile> {
    const a = await this.http.call({ method: 'GET', url: this.api('/v2/userinfo'), headers: { authorization: `Bearer ${accessToken}` }, sideEffect: false, secrets: [accessToken] });
    const u = this.json<{ sub?: string; name?: string; picture?: string; email?: string }>(a);
    if (!u.sub) throw new ConnectorError('LINKEDIN', 'transient', 'GET /v2/userinfo answered without a subject');
    return { id: `urn:li:person:${u.sub}`, name: u.name, username: u.email, avatarUrl: u.picture };
  }

  /** Images API: initializeUpload, then PUT the bytes to the upload URL it returned. */
  async uploadMedia(account: AccountCredentials, media: MediaUpload): Promise<UploadedMedia> {
    if (media.kind === 'video') throw new ConnectorError('LINKEDIN', 'invalid_content', 'video posts are not supported by this connector yet');
    if (!media.bytes) throw new ConnectorError('LINKEDIN', 'invalid_content', 'LinkedIn uploads need the file bytes');
    const init = await this.rest(account, 'POST', '/rest/images?action=initializeUpload', { initializeUploadRequest: { owner: account.accountId } }, false);
    const value = this.json<{ value?: { uploadUrl?: string; image?: string } }>(init).value;
    if (!value?.uploadUrl || !value.image) throw new ConnectorError('LINKEDIN', 'transient', 'initializeUpload answered without an upload URL');
    await this.http.call({
      method: 'PUT',
      url: value.uploadUrl,
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': media.mimeType },
      body: media.bytes,
      sideEffect: false,
      secrets: [account.accessToken],
      account: account.accountId,
    });
    return { id: value.image, kind: media.kind };
  }

  async publish(account: AccountCredentials, req: PublishRequest): Promise<PublishedPost> {
    const body: Record<string, unknown> = {
      author: account.accountId,
      commentary: escapeLittleText(req.text),
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    };
    const media = req.media ?? [];
    if (media.length === 1) body.content = { media: { id: media[0].id } };
    if (media.length > 1) body.content = { multiImage: { images: media.map((m) => ({ id: m.id })) } };
    const a = await this.rest(account, 'POST', '/rest/posts', body, true);
    const id = header(a.headers, 'x-restli-id');
    if (!id) throw new ConnectorError('LINKEDIN', 'unknown_outcome', `POST /rest/posts answered ${a.status} without x-restli-id`);
    return { externalId: id, url: `https://www.linkedin.com/feed/update/${id}`, publishedAt: this.now() };
  }

  /**
   * LinkedIn keeps no client metadata on a post: we list the author's posts (`q=author`, newest
   * first) and match the escaped commentary exactly, created at or after `since`, plus the media
   * count when given.
   */
  async findRecentByMarker(account: AccountCredentials, marker: PublishMarker, since: Date): Promise<PublishedPost | null> {
    const wanted = normalizeText(escapeLittleText(marker.text));
    for (let start = 0; start < 500; start += 50) {
      const path = `/rest/posts?q=author&author=${encodeURIComponent(account.accountId)}&sortBy=CREATED&count=50&start=${start}`;
      const elements = this.json<{ elements?: LinkedInPost[] }>(await this.rest(account, 'GET', path, undefined, false)).elements ?? [];
      for (const p of elements) {
        const created = p.createdAt ?? p.publishedAt ?? 0;
        if (created < since.getTime()) return null; // sorted newest first: nothing older can match
        const mediaCount = p.content?.multiImage?.images.length ?? (p.content?.media ? 1 : 0);
        if (normalizeText(p.commentary ?? '') === wanted && (marker.mediaCount === undefined || marker.mediaCount === mediaCount)) {
          return { externalId: p.id, url: `https://www.linkedin.com/feed/update/${p.id}`, publishedAt: new Date(created) };
        }
      }
      if (elements.length < 50) break;
    }
    return null;
  }

  /** Social actions summary: likes and comments. */
  async fetchPostMetrics(account: AccountCredentials, externalId: string): Promise<PostMetrics> {
    const body = this.json<{ likesSummary?: { totalLikes?: number }; commentsSummary?: { aggregatedTotalComments?: number } }>(
      await this.rest(account, 'GET', `/rest/socialActions/${encodeURIComponent(externalId)}`, undefined, false),
    );
    return { externalId, collectedAt: this.now(), values: { likes: body.likesSummary?.totalLikes ?? 0, comments: body.commentsSummary?.aggregatedTotalComments ?? 0 } };
  }

  async fetchComments(account: AccountCredentials, externalId: string): Promise<Comment[]> {
    const body = this.json<{ elements?: { id?: string; $URN?: string; actor?: string; message?: { text?: string }; created?: { time?: number } }[] }>(
      await this.rest(account, 'GET', `/rest/socialActions/${encodeURIComponent(externalId)}/comments?count=100`, undefined, false),
    );
    return (body.elements ?? []).map((c) => ({ externalId: c.$URN ?? c.id ?? '', authorId: c.actor, text: c.message?.text ?? '', createdAt: c.created?.time ? new Date(c.created.time) : undefined }));
  }

  /** Comments on a post (or on a comment, given its URN) as the account. */
  async reply(account: AccountCredentials, inReplyTo: string, text: string): Promise<PublishedPost> {
    const a = await this.rest(account, 'POST', `/rest/socialActions/${encodeURIComponent(inReplyTo)}/comments`, { actor: account.accountId, object: inReplyTo, message: { text } }, true);
    const id = header(a.headers, 'x-restli-id') ?? this.json<{ $URN?: string }>(a).$URN;
    if (!id) throw new ConnectorError('LINKEDIN', 'unknown_outcome', `POST comments answered ${a.status} without an id`);
    return { externalId: id, publishedAt: this.now() };
  }

  /** LinkedIn reports no quota headers; only a throttled answer fills this in. */
  private rest(account: AccountCredentials, method: 'GET' | 'POST', path: string, body: unknown, sideEffect: boolean): Promise<HttpAnswer> {
    return this.http.call({
      method,
      url: this.api(path),
      headers: {
        authorization: `Bearer ${account.accessToken}`,
        'linkedin-version': this.config.version,
        'x-restli-protocol-version': '2.0.0',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      sideEffect,
      secrets: [account.accessToken],
      account: account.accountId,
    });
  }

  private async token(fields: Record<string, string>, secrets: string[]): Promise<TokenSet> {
    const a = await this.http.call({
      method: 'POST',
      url: `${this.config.oauthBaseUrl}/oauth/v2/accessToken`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form({ ...fields, client_id: this.config.clientId, client_secret: this.config.clientSecret }),
      sideEffect: false,
      secrets: [...secrets, this.config.clientSecret],
    });
    return tokenSetFrom('LINKEDIN', a, this.now());
  }

  private api(path: string): string {
    return `${this.config.apiBaseUrl}${path}`;
  }

  protected observe(a: HttpAnswer, call: HttpCall): void {
    if (!call.account || a.status !== 429) return;
    const e = classifyLinkedIn(a, this.now());
    this.limits.set(call.account, { remaining: 0, resetAt: e.info.resetAt, observedAt: this.now() });
  }
}
