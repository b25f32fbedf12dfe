import type {
  AccountCredentials,
  AuthorizationRequest,
  Comment,
  CommentsCapability,
  Connector,
  MediaUpload,
  MetricsCapability,
  PostMetrics,
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
import { PLATFORM_LIMITS } from '../limits';
import { normalizeText, tokenSetFrom } from '../oauth';
import { classifyTwitter } from './twitter.errors';

export interface TwitterConnectorConfig extends HttpConnectorConfig {
  /** `https://api.x.com` (or an emulator). */
  apiBaseUrl: string;
  /** `https://x.com/i/oauth2/authorize`. */
  authorizeUrl: string;
  clientId: string;
  /** Confidential clients authenticate to the token endpoint with HTTP Basic. */
  clientSecret?: string;
  scopes?: string[];
  /** Longest wait between media STATUS polls. */
  mediaPollMaxMs?: number;
}

interface XTweet {
  id: string;
  text: string;
  created_at?: string;
  author_id?: string;
  attachments?: { media_keys?: string[] };
  entities?: { urls?: { url: string; expanded_url?: string; media_key?: string }[] };
  public_metrics?: Record<string, number>;
}

interface XMedia {
  id?: string;
  media_id_string?: string;
  processing_info?: { state: 'pending' | 'in_progress' | 'succeeded' | 'failed'; check_after_secs?: number; error?: { message?: string } };
}

const DEFAULT_SCOPES = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'];
const MEDIA_CATEGORY = { image: 'tweet_image', gif: 'tweet_gif', video: 'tweet_video' } as const;

/** X API v2: OAuth 2.0 with PKCE, rotating refresh tokens, posts, chunked media upload. */
export class TwitterConnector extends HttpConnector
  implements Connector, TokenRefreshCapability, TokenRevokeCapability, MetricsCapability, CommentsCapability, ReplyCapability
{
  readonly platform = 'TWITTER' as const;
  readonly requiresPkce = true;

  constructor(
    private readonly config: TwitterConnectorConfig,
    deps: ConnectorDeps = {},
  ) {
    super('TWITTER', config, classifyTwitter, deps);
  }

  authorizationUrl(req: AuthorizationRequest): string {
    if (!req.codeChallenge) throw new ConnectorError('TWITTER', 'misconfigured', 'X requires PKCE: authorizationUrl needs a codeChallenge');
    return withQuery(this.config.authorizeUrl, {
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: req.redirectUri,
      scope: (req.scopes ?? this.config.scopes ?? DEFAULT_SCOPES).join(' '),
      state: req.state,
      code_challenge: req.codeChallenge,
      code_challenge_method: 'S256',
    });
  }

  async exchangeCode(req: { code: string; redirectUri: string; codeVerifier?: string }): Promise<TokenSet> {
    if (!req.codeVerifier) throw new ConnectorError('TWITTER', 'misconfigured', 'X requires PKCE: exchangeCode needs the codeVerifier');
    return this.token({ grant_type: 'authorization_code', code: req.code, redirect_uri: req.redirectUri, code_verifier: req.codeVerifier }, [req.code, req.codeVerifier]);
  }

  /** X rotates refresh tokens: store the returned one; the old one is rejected from now on. */
  async refreshToken(refreshToken: string): Promise<TokenSet> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken }, [refreshToken]);
  }

  async revoke(token: string): Promise<void> {
    await this.http.call({
      method: 'POST',
      url: this.api('/2/oauth2/revoke'),
      headers: this.clientHeaders(),
      body: form({ token, client_id: this.config.clientId }),
      sideEffect: false,
      secrets: [token, this.config.clientSecret],
    });
  }

  async fetchProfile(accessToken: string): Promise<Profile> {
    const a = await this.get(this.api('/2/users/me?user.fields=profile_image_url'), accessToken);
    const u = this.json<{ data?: { id: string; name?: string; username?: string; profile_image_url?: string } }>(a).data;
    if (!u?.id) throw new ConnectorError('TWITTER', 'transient', 'GET /2/users/me answered without a user');
    return { id: u.id, username: u.username, name: u.name, avatarUrl: u.profile_image_url };
  }

  async publish(account: AccountCredentials, req: PublishRequest): Promise<PublishedPost> {
    // A media-only post omits `text`: X refuses an empty string.
    const body: Record<string, unknown> = req.text ? { text: req.text } : {};
    if (req.media?.length) body.media = { media_ids: req.media.map((m) => m.id) };
    return this.createTweet(account, body);
  }

  async reply(account: AccountCredentials, inReplyTo: string, text: string): Promise<PublishedPost> {
    return this.createTweet(account, { text, reply: { in_reply_to_tweet_id: inReplyTo } });
  }

  /**
   * Chunked upload: INIT → APPEND (one segment per `uploadChunkBytes`) → FINALIZE → STATUS until
   * processed. Not a side effect for reconciliation: an orphaned media id expires unused.
   */
  async uploadMedia(account: AccountCredentials, media: MediaUpload): Promise<UploadedMedia> {
    if (!media.bytes) throw new ConnectorError('TWITTER', 'invalid_content', 'X uploads need the file bytes, not a URL');
    const chunk = PLATFORM_LIMITS.TWITTER.media.uploadChunkBytes ?? 1024 * 1024;
    const init = this.json<{ data?: XMedia }>(
      await this.postForm(account, {
        command: 'INIT',
        total_bytes: String(media.bytes.length),
        media_type: media.mimeType,
        media_category: MEDIA_CATEGORY[media.kind],
      }),
    ).data;
    const id = init?.id ?? init?.media_id_string;
    if (!id) throw new ConnectorError('TWITTER', 'transient', 'media INIT answered without a media id');
    for (let i = 0, offset = 0; offset < media.bytes.length; i++, offset += chunk) {
      const segment = media.bytes.subarray(offset, offset + chunk);
      await this.postForm(account, { command: 'APPEND', media_id: id, segment_index: String(i), media_data: segment.toString('base64') });
    }
    let info = this.json<{ data?: XMedia }>(await this.postForm(account, { command: 'FINALIZE', media_id: id })).data?.processing_info;
    for (let polls = 0; info && info.state !== 'succeeded'; polls++) {
      if (info.state === 'failed') throw new ConnectorError('TWITTER', 'invalid_content', `media processing failed: ${info.error?.message ?? 'no reason given'}`);
      if (polls >= 120) throw new ConnectorError('TWITTER', 'transient', `media ${id} still processing after ${polls} status checks`);
      await new Promise((r) => setTimeout(r, Math.min((info?.check_after_secs ?? 1) * 1000, this.config.mediaPollMaxMs ?? 5_000)));
      const status = await this.get(this.api(`/2/media/upload?command=STATUS&media_id=${encodeURIComponent(id)}`), account.accessToken, account.accountId);
      info = this.json<{ data?: XMedia }>(status).data?.processing_info;
    }
    return { id, kind: media.kind };
  }

  /**
   * X keeps no client metadata on a post: we page through the account's own posts since `since`
   * (GET /2/users/:id/tweets) and match the exact text, with t.co links expanded back to the
   * URLs we sent and the trailing media link removed, plus the media count when given.
   */
  async findRecentByMarker(account: AccountCredentials, marker: PublishMarker, since: Date): Promise<PublishedPost | null> {
    const wanted = normalizeText(marker.text);
    let next: string | undefined;
    for (let page = 0; page < 5; page++) {
      const url = withQuery(this.api(`/2/users/${encodeURIComponent(account.accountId)}/tweets`), {
        // X wants RFC 3339 without fractions; flooring to the second only widens the window.
        start_time: since.toISOString().replace(/\.\d{3}Z$/, 'Z'),
        max_results: 100,
        'tweet.fields': 'created_at,entities,attachments',
        pagination_token: next,
      });
      const body = this.json<{ data?: XTweet[]; meta?: { next_token?: string } }>(await this.get(url, account.accessToken, account.accountId));
      for (const t of body.data ?? []) {
        const mediaCount = t.attachments?.media_keys?.length ?? 0;
        if (expandText(t) === wanted && (marker.mediaCount === undefined || marker.mediaCount === mediaCount)) {
          return { externalId: t.id, url: `https://x.com/i/web/status/${t.id}`, publishedAt: t.created_at ? new Date(t.created_at) : this.now() };
        }
      }
      next = body.meta?.next_token;
      if (!next) break;
    }
    return null;
  }

  async fetchPostMetrics(account: AccountCredentials, externalId: string): Promise<PostMetrics> {
    const a = await this.get(this.api(`/2/tweets/${encodeURIComponent(externalId)}?tweet.fields=public_metrics`), account.accessToken, account.accountId);
    const t = this.json<{ data?: XTweet }>(a).data;
    return { externalId, collectedAt: this.now(), values: { ...(t?.public_metrics ?? {}) } };
  }

  async fetchComments(account: AccountCredentials, externalId: string): Promise<Comment[]> {
    const url = withQuery(this.api('/2/tweets/search/recent'), { query: `conversation_id:${externalId}`, 'tweet.fields': 'author_id,created_at', max_results: 100 });
    const body = this.json<{ data?: XTweet[] }>(await this.get(url, account.accessToken, account.accountId));
    return (body.data ?? []).map((t) => ({ externalId: t.id, authorId: t.author_id, text: t.text, createdAt: t.created_at ? new Date(t.created_at) : undefined }));
  }

  private async createTweet(account: AccountCredentials, body: Record<string, unknown>): Promise<PublishedPost> {
    const a = await this.http.call({
      method: 'POST',
      url: this.api('/2/tweets'),
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      sideEffect: true,
      secrets: [account.accessToken],
      account: account.accountId,
    });
    const id = this.json<{ data?: { id?: string } }>(a).data?.id;
    if (!id) throw new ConnectorError('TWITTER', 'unknown_outcome', `POST /2/tweets answered ${a.status} without a post id`);
    return { externalId: id, url: `https://x.com/i/web/status/${id}`, publishedAt: this.now() };
  }

  private async token(fields: Record<string, string>, secrets: string[]): Promise<TokenSet> {
    const a = await this.http.call({
      method: 'POST',
      url: this.api('/2/oauth2/token'),
      headers: this.clientHeaders(),
      body: form({ ...fields, client_id: this.config.clientId }),
      sideEffect: false,
      secrets: [...secrets, this.config.clientSecret],
    });
    return tokenSetFrom('TWITTER', a, this.now());
  }

  private clientHeaders(): Record<string, string> {
    const h: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (this.config.clientSecret) h.authorization = `Basic ${Buffer.from(`${this.config.clientId}:${this.config.clientSecret}`).toString('base64')}`;
    return h;
  }

  private postForm(account: AccountCredentials, fields: Record<string, string>): Promise<HttpAnswer> {
    return this.http.call({
      method: 'POST',
      url: this.api('/2/media/upload'),
      headers: { authorization: `Bearer ${account.accessToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form(fields),
      sideEffect: false,
      secrets: [account.accessToken],
      account: account.accountId,
    });
  }

  private get(url: string, accessToken: string, account?: string): Promise<HttpAnswer> {
    return this.http.call({ method: 'GET', url, headers: { authorization: `Bearer ${accessToken}` }, sideEffect: false, secrets: [accessToken], account });
  }

  private api(path: string): string {
    return new URL(path, this.config.apiBaseUrl).toString();
  }

  protected observe(a: HttpAnswer, call: HttpCall): void {
    if (!call.account) return;
    const limit = header(a.headers, 'x-rate-limit-limit');
    const remaining = header(a.headers, 'x-rate-limit-remaining');
    const reset = header(a.headers, 'x-rate-limit-reset');
    if (limit === undefined && remaining === undefined && reset === undefined) return;
    this.limits.set(call.account, {
      limit: limit !== undefined ? Number(limit) : undefined,
      remaining: remaining !== undefined ? Number(remaining) : undefined,
      resetAt: reset !== undefined ? new Date(Number(reset) * 1000) : undefined,
      observedAt: this.now(),
    });
  }
}

/** A post's text with t.co links put back to what we sent and the trailing media link dropped. */
function expandText(t: XTweet): string {
  let text = t.text;
  for (const u of t.entities?.urls ?? []) {
    text = text.split(u.url).join(u.media_key ? '' : (u.expanded_url ?? u.url));
  }
  return normalizeText(text);
}
