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
  TokenRevokeCapability,
  TokenSet,
  UploadedMedia,
} from '../capabilities';
import { ConnectorError } from '../connector-error';
import { HttpConnector, type ConnectorDeps, type HttpConnectorConfig } from '../http-connector';
import { form, withQuery, type HttpAnswer, type HttpCall } from '../network-http';
import { normalizeText, tokenSetFrom } from '../oauth';
import { classifyFacebook, parseGraphUsage } from './facebook.errors';

export interface FacebookConnectorConfig extends HttpConnectorConfig {
  /** `https://graph.facebook.com`. */
  graphBaseUrl: string;
  /** `https://www.facebook.com` (serves `/{version}/dialog/oauth`). */
  dialogBaseUrl: string;
  /** Graph API version, e.g. `v21.0`. */
  version: string;
  appId: string;
  appSecret: string;
  scopes?: string[];
}

export interface FacebookPage {
  /** Page id: the `accountId` for publishing. */
  id: string;
  name: string;
  /** Page access token derived from the long-lived user token (does not expire while that one is valid). */
  accessToken: string;
  tasks: string[];
}

interface GraphPost {
  id: string;
  message?: string;
  created_time?: string;
  permalink_url?: string;
}

const DEFAULT_SCOPES = ['pages_show_list', 'pages_read_engagement', 'pages_manage_posts', 'pages_manage_engagement'];

/**
 * Facebook Pages through the Graph API. OAuth yields a user token, exchanged at once for a
 * long-lived one (~60 days, `fb_exchange_token`); each page's token comes from `GET /me/accounts`.
 * There is no refresh token: reconnect before the user token expires.
 */
export class FacebookConnector extends HttpConnector implements Connector, TokenRevokeCapability, MetricsCapability, CommentsCapability, ReplyCapability {
  readonly platform = 'FACEBOOK' as const;
  readonly requiresPkce = false;

  constructor(
    private readonly config: FacebookConnectorConfig,
    deps: ConnectorDeps = {},
  ) {
    super('FACEBOOK', config, classifyFacebook, deps);
  }

  authorizationUrl(req: AuthorizationRequest): string {
    return withQuery(`${this.config.dialogBaseUrl}/${this.config.version}/dialog/oauth`, {
      client_id: this.config.appId,
      redirect_uri: req.redirectUri,
      state: req.state,
      scope: (req.scopes ?? this.config.scopes ?? DEFAULT_SCOPES).join(','),
      response_type: 'code',
    });
  }

  /** Code → short-lived user token → long-lived user token (what is returned). */
  async exchangeCode(req: { code: string; redirectUri: string }): Promise<TokenSet> {
    const short = tokenSetFrom(
      'FACEBOOK',
      await this.oauthGet({ client_id: this.config.appId, client_secret: this.config.appSecret, redirect_uri: req.redirectUri, code: req.code }, [req.code]),
      this.now(),
    );
    return this.extendUserToken(short.accessToken);
  }

  /** `grant_type=fb_exchange_token`: a short-lived user token for a long-lived (~60 days) one. */
  async extendUserToken(userToken: string): Promise<TokenSet> {
    const a = await this.oauthGet(
      { grant_type: 'fb_exchange_token', client_id: this.config.appId, client_secret: this.config.appSecret, fb_exchange_token: userToken },
      [userToken],
    );
    return tokenSetFrom('FACEBOOK', a, this.now(), ',');
  }

  async fetchProfile(accessToken: string): Promise<Profile> {
    const u = this.json<{ id?: string; name?: string; picture?: { data?: { url?: string } } }>(await this.get(this.graph('/me', { fields: 'id,name,picture' }), accessToken));
    if (!u.id) throw new ConnectorError('FACEBOOK', 'transient', 'GET /me answered without an id');
    return { id: u.id, name: u.name, avatarUrl: u.picture?.data?.url };
  }

  /** The pages the user manages, each with its page token (publishing uses the page id and token). */
  async listPages(userToken: string): Promise<FacebookPage[]> {
    const body = this.json<{ data?: { id: string; name: string; access_token: string; tasks?: string[] }[] }>(
      await this.get(this.graph('/me/accounts', { fields: 'id,name,access_token,tasks', limit: 100 }), userToken),
    );
    return (body.data ?? []).map((p) => ({ id: p.id, name: p.name, accessToken: p.access_token, tasks: p.tasks ?? [] }));
  }

  /** `DELETE /me/permissions` with the user token: the app loses every permission the user gave. */
  async revoke(userToken: string): Promise<void> {
    await this.http.call({ method: 'DELETE', url: this.graph('/me/permissions'), headers: this.auth(userToken), sideEffect: false, secrets: [userToken] });
  }

  /**
   * Photos are uploaded unpublished (`published=false`) from a public URL, then attached to the
   * feed post, so one call creates the post whatever the number of photos.
   */
  async uploadMedia(account: AccountCredentials, media: MediaUpload): Promise<UploadedMedia> {
    if (media.kind === 'video') throw new ConnectorError('FACEBOOK', 'invalid_content', 'video posts are not supported by this connector yet');
    if (!media.url) throw new ConnectorError('FACEBOOK', 'invalid_content', 'Facebook fetches photos from a public URL; this media has none');
    const a = await this.post(account, `/${encodeURIComponent(account.accountId)}/photos`, { url: media.url, published: 'false', alt_text_custom: media.altText }, false);
    const id = this.json<{ id?: string }>(a).id;
    if (!id) throw new ConnectorError('FACEBOOK', 'transient', 'photo upload answered without an id');
    return { id, kind: media.kind };
  }

  async publish(account: AccountCredentials, req: PublishRequest): Promise<PublishedPost> {
    const fields: Record<string, string> = { message: req.text };
    (req.media ?? []).forEach((m, i) => {
      fields[`attached_media[${i}]`] = JSON.stringify({ media_fbid: m.id });
    });
    const a = await this.post(account, `/${encodeURIComponent(account.accountId)}/feed`, fields, true);
    const id = this.json<{ id?: string }>(a).id;
    if (!id) throw new ConnectorError('FACEBOOK', 'unknown_outcome', `POST /feed answered ${a.status} without a post id`);
    return { externalId: id, url: `https://www.facebook.com/${id}`, publishedAt: this.now() };
  }

  async reply(account: AccountCredentials, inReplyTo: string, text: string): Promise<PublishedPost> {
    const a = await this.post(account, `/${encodeURIComponent(inReplyTo)}/comments`, { message: text }, true);
    const id = this.json<{ id?: string }>(a).id;
    if (!id) throw new ConnectorError('FACEBOOK', 'unknown_outcome', `POST /comments answered ${a.status} without an id`);
    return { externalId: id, publishedAt: this.now() };
  }

  /**
   * Graph keeps no client metadata on a feed post: we read the page's feed since `since`
   * (`GET /{page-id}/feed?since=`) and match the exact message. `mediaCount` is not checked.
   */
  async findRecentByMarker(account: AccountCredentials, marker: PublishMarker, since: Date): Promise<PublishedPost | null> {
    const wanted = normalizeText(marker.text);
    let url: string | undefined = this.graph(`/${encodeURIComponent(account.accountId)}/feed`, {
      since: Math.floor(since.getTime() / 1000),
      fields: 'id,message,created_time,permalink_url',
      limit: 100,
    });
    for (let page = 0; url && page < 5; page++) {
      const body: { data?: GraphPost[]; paging?: { next?: string } } = this.json(await this.get(url, account.accessToken, account.accountId));
      const hit = (body.data ?? []).find((p) => normalizeText(p.message ?? '') === wanted);
      if (hit) return { externalId: hit.id, url: hit.permalink_url ?? `https://www.facebook.com/${hit.id}`, publishedAt: hit.created_time ? new Date(hit.created_time) : this.now() };
      url = body.paging?.next;
    }
    return null;
  }

  async fetchPostMetrics(account: AccountCredentials, externalId: string): Promise<PostMetrics> {
    const body = this.json<{ shares?: { count?: number }; reactions?: { summary?: { total_count?: number } }; comments?: { summary?: { total_count?: number } } }>(
      await this.get(this.graph(`/${encodeURIComponent(externalId)}`, { fields: 'shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0)' }), account.accessToken, account.accountId),
    );
    return {
      externalId,
      collectedAt: this.now(),
      values: { shares: body.shares?.count ?? 0, reactions: body.reactions?.summary?.total_count ?? 0, comments: body.comments?.summary?.total_count ?? 0 },
    };
  }

  async fetchComments(account: AccountCredentials, externalId: string): Promise<Comment[]> {
    const body = this.json<{ data?: { id: string; message?: string; created_time?: string; from?: { id?: string; name?: string } }[] }>(
      await this.get(this.graph(`/${encodeURIComponent(externalId)}/comments`, { fields: 'id,message,created_time,from', limit: 100 }), account.accessToken, account.accountId),
    );
    return (body.data ?? []).map((c) => ({ externalId: c.id, authorId: c.from?.id, authorName: c.from?.name, text: c.message ?? '', createdAt: c.created_time ? new Date(c.created_time) : undefined }));
  }

  /** Usage Meta reported on the last call for this page (`x-app-usage` is app-wide, BUC per page). */
  private oauthGet(query: Record<string, string>, secrets: string[]): Promise<HttpAnswer> {
    return this.http.call({ method: 'GET', url: this.graph('/oauth/access_token', query), sideEffect: false, secrets: [...secrets, this.config.appSecret] });
  }

  private post(account: AccountCredentials, path: string, fields: Record<string, string | undefined>, sideEffect: boolean): Promise<HttpAnswer> {
    return this.http.call({
      method: 'POST',
      url: this.graph(path),
      headers: { ...this.auth(account.accessToken), 'content-type': 'application/x-www-form-urlencoded' },
      body: form(fields),
      sideEffect,
      secrets: [account.accessToken],
      account: account.accountId,
    });
  }

  private get(url: string, token: string, account?: string): Promise<HttpAnswer> {
    return this.http.call({ method: 'GET', url, headers: this.auth(token), sideEffect: false, secrets: [token], account });
  }

  private auth(token: string): Record<string, string> {
    return { authorization: `Bearer ${token}` };
  }

  private graph(path: string, query: Record<string, string | number | undefined> = {}): string {
    return withQuery(`${this.config.graphBaseUrl}/${this.config.version}${path}`, query);
  }

  protected observe(a: HttpAnswer, call: HttpCall): void {
    if (!call.account) return;
    const u = parseGraphUsage(a.headers, this.now());
    const pct = Math.max(u.appPercent ?? -1, u.businessPercent ?? -1);
    if (pct < 0 && !u.regainAt) return;
    this.limits.set(call.account, { usagePercent: pct >= 0 ? pct : undefined, resetAt: u.regainAt, observedAt: this.now() });
  }
}
