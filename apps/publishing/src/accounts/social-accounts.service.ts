import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LockMode } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { DomainError, TOPICS, type Platform } from '@lib/contracts';
import { canRevokeTokens, type Connector } from '@lib/connectors';
import { OutboxWriter } from '@lib/messaging';
import { LOGGER } from '@lib/service-kit';
import { ConnectorRegistry } from '../networks/connector-registry';
import { AccountErrors } from './accounts.errors';
import { SocialAccount } from './social-account.entity';
import { toSocialAccountResponse, type SocialAccountResponse } from './social-accounts.mapper';
import { TokenCipher } from './token-cipher';

export interface AccountsActor {
  userId: string;
  workspaceId: string;
}

/** Reading and disconnecting the workspace's connected accounts. */
@Injectable()
export class SocialAccountsService {
  constructor(
    private readonly em: EntityManager,
    private readonly outbox: OutboxWriter,
    private readonly networks: ConnectorRegistry,
    private readonly cipher: TokenCipher,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async list(actor: AccountsActor): Promise<{ items: SocialAccountResponse[] }> {
    const rows = await this.em.fork().find(SocialAccount, { workspaceId: actor.workspaceId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    return { items: rows.map(toSocialAccountResponse) };
  }

  async get(actor: AccountsActor, id: string): Promise<SocialAccountResponse> {
    return toSocialAccountResponse(await this.load(this.em.fork(), actor, id));
  }

  /**
   * Revokes at the network (best effort: the account is disconnected here whatever it answers),
   * then marks the account inactive. Tokens and everything else stay: a reconnect restores it.
   */
  async disconnect(actor: AccountsActor, id: string): Promise<void> {
    const account = await this.load(this.em.fork(), actor, id);
    if (!account.isActive) return;
    await this.revoke(account);
    await this.em.fork().transactional(async (tx) => {
      const row = await this.load(tx, actor, id, true);
      if (!row.isActive) return;
      row.isActive = false;
      row.metadata = { ...row.metadata, disconnectReason: 'user', disconnectedAt: new Date().toISOString() };
      row.updatedAt = new Date();
      const by = { type: 'user' as const, id: actor.userId };
      this.outbox.stage(tx, TOPICS.accountDisconnected, { accountId: row.id, platform: row.platform, reason: 'user' }, { subject: row.id, workspaceId: row.workspaceId, actor: by });
      this.outbox.stage(
        tx,
        TOPICS.auditRecorded,
        {
          action: 'social_account.disconnected',
          resourceType: 'social_account',
          resourceId: row.id,
          userId: actor.userId,
          userName: null,
          userEmail: null,
          details: { platform: row.platform, username: row.username, before: { isActive: true }, after: { isActive: false } },
          ipAddress: null,
          userAgent: null,
        },
        { subject: row.workspaceId, workspaceId: row.workspaceId, actor: by },
      );
      await tx.flush();
    });
  }

  private async revoke(account: SocialAccount): Promise<void> {
    const connector = this.connectorFor(account.platform);
    // A Facebook page row holds a page token; Graph revokes with the user token, and doing so
    // would cut every page that user connected. Disconnecting one page stays local.
    if (!connector || !canRevokeTokens(connector) || account.platform === 'FACEBOOK') return;
    const tokens = [account.refreshToken, account.accessToken].filter((t): t is string => !!t);
    for (const stored of tokens) {
      try {
        await connector.revoke(this.cipher.decrypt(stored));
      } catch (err) {
        this.logger.warn({ accountId: account.id, platform: account.platform, reason: (err as Error).message }, 'revoking a token at the network failed; disconnecting anyway');
      }
    }
  }

  private connectorFor(platform: Platform): Connector | null {
    return this.networks.configured().includes(platform) ? this.networks.get(platform) : null;
  }

  private async load(em: EntityManager, actor: AccountsActor, id: string, forUpdate = false): Promise<SocialAccount> {
    const row = await em.findOne(SocialAccount, { id, workspaceId: actor.workspaceId }, forUpdate ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
    if (!row) throw new DomainError(AccountErrors.notFound, 'No such social account');
    return row;
  }
}
