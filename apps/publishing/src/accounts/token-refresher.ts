import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { TOPICS } from '@lib/contracts';
import { ConnectorError, canRefreshTokens } from '@lib/connectors';
import { OutboxWriter } from '@lib/messaging';
import { LOGGER } from '@lib/service-kit';
import { ConnectorRegistry } from '../networks/connector-registry';
import { storeTokens } from './account-tokens';
import type { SocialAccount } from './social-account.entity';
import { TokenCipher } from './token-cipher';

export type RefreshOutcome = 'refreshed' | 'disconnected' | 'retry_later' | 'skipped';

/**
 * One account's token refresh, on an account the caller holds locked. Never loops: an `auth`
 * refusal (refresh token revoked or expired) disconnects the account once, with the network's
 * reason, and the account is never picked again until the user reconnects it; anything else is
 * left for the next round.
 */
@Injectable()
export class TokenRefresher {
  constructor(
    private readonly networks: ConnectorRegistry,
    private readonly cipher: TokenCipher,
    private readonly outbox: OutboxWriter,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async refresh(em: EntityManager, account: SocialAccount): Promise<RefreshOutcome> {
    if (!account.isActive || !account.refreshToken) return 'skipped';
    const connector = this.networks.get(account.platform);
    if (!canRefreshTokens(connector)) return 'skipped';
    try {
      const tokens = await connector.refreshToken(this.cipher.decrypt(account.refreshToken));
      storeTokens(account, tokens, this.cipher);
      account.updatedAt = new Date();
      return 'refreshed';
    } catch (err) {
      if (err instanceof ConnectorError && err.kind === 'auth') {
        this.disconnect(em, account, err.message);
        return 'disconnected';
      }
      this.logger.warn({ accountId: account.id, platform: account.platform, reason: (err as Error).message }, 'token refresh failed; retrying next round');
      return 'retry_later';
    }
  }

  private disconnect(em: EntityManager, account: SocialAccount, reason: string): void {
    account.isActive = false;
    account.metadata = { ...account.metadata, disconnectReason: reason, disconnectedAt: new Date().toISOString() };
    account.updatedAt = new Date();
    this.logger.warn({ accountId: account.id, platform: account.platform, reason }, 'the network refused the refresh token; account disconnected');
    this.outbox.stage(em, TOPICS.accountDisconnected, { accountId: account.id, platform: account.platform, reason }, {
      subject: account.id,
      workspaceId: account.workspaceId,
      actor: { type: 'system', id: 'token-refresh' },
    });
    this.outbox.stage(
      em,
      TOPICS.auditRecorded,
      {
        action: 'social_account.disconnected',
        resourceType: 'social_account',
        resourceId: account.id,
        userId: null,
        userName: null,
        userEmail: null,
        details: { platform: account.platform, reason, before: { isActive: true }, after: { isActive: false } },
        ipAddress: null,
        userAgent: null,
      },
      { subject: account.workspaceId, workspaceId: account.workspaceId, actor: { type: 'system', id: 'token-refresh' } },
    );
  }
}
