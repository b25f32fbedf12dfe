import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { DomainError, TOPICS, type Platform } from '@lib/contracts';
import { ConnectorError, FacebookConnector, createPkcePair, type Connector, type Profile, type TokenSet } from '@lib/connectors';
import { OutboxWriter } from '@lib/messaging';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { ConnectorRegistry } from '../networks/connector-registry';
import { PlanLimits } from '../workspaces/plan-limits';
import { AccountErrors } from './accounts.errors';
import { storeTokens } from './account-tokens';
import { OAuthState } from './oauth-state.entity';
import { SocialAccount } from './social-account.entity';
import { toSocialAccountResponse, type SocialAccountResponse } from './social-accounts.mapper';
import { TokenCipher } from './token-cipher';

export const OAUTH_STATE_TTL_MS = 10 * 60_000;
export const CALLBACK_PATH = '/api/v1/social-accounts/oauth/callback';

export interface ConnectingUser {
  userId: string;
  workspaceId: string;
}

/** One account as the network describes it, with the tokens to act as it. */
export interface ConnectedIdentity {
  platformAccountId: string;
  username: string;
  displayName: string;
  avatar: string | null;
  tokens: Pick<TokenSet, 'accessToken' | 'refreshToken' | 'expiresAt'>;
  metadata: Record<string, unknown>;
}

export function hashState(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}

/** OAuth connection of social accounts: start (authorization URL + state), then the network's callback. */
@Injectable()
export class ConnectAccountService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    private readonly networks: ConnectorRegistry,
    private readonly cipher: TokenCipher,
    private readonly limits: PlanLimits,
    @Inject(APP_CONFIG) private readonly config: PublishingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async start(user: ConnectingUser, platform: Platform): Promise<{ authorizationUrl: string; state: string }> {
    const connector = this.networks.get(platform);
    const state = randomBytes(32).toString('base64url');
    const redirectUri = `${this.config.publicBaseUrl}${CALLBACK_PATH}`;
    const pkce = connector.requiresPkce ? createPkcePair() : null;
    const em = this.em.fork();
    const row = new OAuthState();
    row.stateHash = hashState(state);
    row.workspaceId = user.workspaceId;
    row.userId = user.userId;
    row.platform = platform;
    row.codeVerifier = pkce ? this.cipher.encrypt(pkce.codeVerifier) : null;
    row.redirectUri = redirectUri;
    row.expiresAt = new Date(Date.now() + OAUTH_STATE_TTL_MS);
    em.persist(row);
    await em.flush();
    // Abandoned connections: nothing reads them after their ten minutes.
    await em.nativeDelete(OAuthState, { expiresAt: { $lt: new Date(Date.now() - 24 * 3600_000) } });
    return { authorizationUrl: connector.authorizationUrl({ state, redirectUri, codeChallenge: pkce?.codeChallenge }), state };
  }

  /** The network sent the browser back: consume the state once, exchange the code, store the account(s). */
  async callback(q: { state: string; code?: string; error?: string; error_description?: string }): Promise<{ account: SocialAccountResponse; accounts: SocialAccountResponse[] }> {
    const state = await this.consumeState(q.state);
    if (!q.code) {
      throw new DomainError(AccountErrors.denied, `${state.platform} did not authorize the connection`, {
        detail: q.error_description ?? q.error ?? 'the network answered without a code',
        platform: state.platform,
      });
    }
    const connector = this.networks.get(state.platform);
    const identities = await this.network(state.platform, () => this.identify(connector, state, q.code!));
    const user = { userId: state.userId, workspaceId: state.workspaceId };
    const saved = await this.em.fork().transactional(async (tx) => {
      const out: SocialAccount[] = [];
      for (const identity of identities) out.push(await this.saveConnection(tx, user, state.platform, identity));
      return out;
    });
    const accounts = saved.map(toSocialAccountResponse);
    return { account: accounts[0], accounts };
  }

  /**
   * Upsert on (workspace, platform, network id). A reconnect replaces the tokens, keeps a stored
   * refresh token when the network sent none, reactivates the account and clears the reason it
   * was disconnected. The event and the audit entry go in the caller's transaction.
   */
  async saveConnection(em: EntityManager, user: ConnectingUser, platform: Platform, identity: ConnectedIdentity): Promise<SocialAccount> {
    let account = await em.findOne(SocialAccount, { workspaceId: user.workspaceId, platform, platformAccountId: identity.platformAccountId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    const reconnect = account !== null;
    // A new account, or an inactive one coming back, takes a slot of the plan.
    if (!account || !account.isActive) await this.limits.assertAccountSlot(em, user.workspaceId);
    if (!account) {
      account = new SocialAccount();
      account.workspaceId = user.workspaceId;
      account.platform = platform;
      account.platformAccountId = identity.platformAccountId;
      em.persist(account);
    }
    const wasActive = reconnect && account.isActive;
    account.username = identity.username;
    account.displayName = identity.displayName;
    account.avatar = identity.avatar;
    storeTokens(account, identity.tokens, this.cipher);
    account.isActive = true;
    // Without a refresh token nothing can renew the access: the user must reconnect before it expires.
    const reconnectBy = !account.refreshToken && account.tokenExpiry ? account.tokenExpiry.toISOString() : null;
    const { disconnectReason: _reason, disconnectedAt: _at, ...kept } = account.metadata;
    account.metadata = { ...kept, ...identity.metadata, reconnectBy, connectedBy: user.userId, connectedAt: new Date().toISOString() };
    account.updatedAt = new Date();
    const actor = { type: 'user' as const, id: user.userId };
    this.outbox.stage(em, TOPICS.accountConnected, { accountId: account.id, platform, username: account.username }, { subject: account.id, workspaceId: user.workspaceId, actor });
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      {
        action: reconnect ? 'social_account.reconnected' : 'social_account.connected',
        resourceType: 'social_account',
        resourceId: account.id,
        userId: user.userId,
        userName: null,
        userEmail: null,
        details: { platform, platformAccountId: account.platformAccountId, username: account.username, ...(reconnect ? { before: { isActive: wasActive } } : {}) },
        ipAddress: null,
        userAgent: null,
      },
      { subject: user.workspaceId, workspaceId: user.workspaceId, actor },
    );
    await em.flush();
    return account;
  }

  /** Marks the state used in its own transaction, so a replay fails even if this callback fails later. */
  private async consumeState(value: string): Promise<OAuthState> {
    const invalid = () => new DomainError(AccountErrors.stateInvalid, 'Unknown, expired or already used connection state', { detail: 'Start the connection again' });
    return this.em.fork().transactional(async (tx) => {
      const row = await tx.findOne(OAuthState, { stateHash: hashState(value) }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) throw invalid();
      row.usedAt = new Date();
      await tx.flush();
      return row;
    });
  }

  private async identify(connector: Connector, state: OAuthState, code: string): Promise<ConnectedIdentity[]> {
    const codeVerifier = state.codeVerifier ? this.cipher.decrypt(state.codeVerifier) : undefined;
    const tokens = await connector.exchangeCode({ code, redirectUri: state.redirectUri, codeVerifier });
    if (connector instanceof FacebookConnector) return this.facebookPages(connector, tokens);
    const profile = await connector.fetchProfile(tokens.accessToken);
    return [identityOf(profile, tokens)];
  }

  /**
   * Facebook: the code gives a long-lived user token (the connector exchanges it at once); each
   * page the user manages becomes one account with its page token. Page tokens live as long as
   * that user token (~60 days) and there is no refresh token: reconnect before `reconnectBy`.
   */
  private async facebookPages(fb: FacebookConnector, user: TokenSet): Promise<ConnectedIdentity[]> {
    const profile = await fb.fetchProfile(user.accessToken);
    const pages = await fb.listPages(user.accessToken);
    if (!pages.length) throw new DomainError(AccountErrors.noPages, 'This Facebook user manages no page', { detail: 'Create a page or ask to be made its admin, then connect again' });
    return pages.map((p) => ({
      platformAccountId: p.id,
      username: p.name,
      displayName: p.name,
      avatar: null,
      tokens: { accessToken: p.accessToken, expiresAt: user.expiresAt },
      metadata: { facebookUserId: profile.id, tasks: p.tasks },
    }));
  }

  /** Network failures as the API's own codes: refusals 422, outages 503; the message is the network's (tokens removed). */
  private async network<T>(platform: Platform, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof ConnectorError)) throw err;
      this.logger.warn({ platform, kind: err.kind, reason: err.message }, 'connecting an account failed at the network');
      const code = err.kind === 'transient' || err.kind === 'rate_limited' || err.kind === 'unknown_outcome' ? AccountErrors.networkUnavailable : AccountErrors.networkRefused;
      throw new DomainError(code, `${platform} refused or failed the connection`, { detail: err.message, platform, kind: err.kind });
    }
  }
}

function identityOf(profile: Profile, tokens: TokenSet): ConnectedIdentity {
  return {
    platformAccountId: profile.id,
    username: profile.username ?? profile.name ?? profile.id,
    displayName: profile.name ?? profile.username ?? profile.id,
    avatar: profile.avatarUrl ?? null,
    tokens,
    metadata: { scopes: tokens.scopes },
  };
}
