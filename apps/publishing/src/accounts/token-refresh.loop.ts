import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { LockMode, type FilterQuery } from '@mikro-orm/core';
import type { Logger } from 'pino';
import { canRefreshTokens } from '@lib/connectors';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { PublishingConfig } from '../config/publishing.config';
import { ConnectorRegistry } from '../networks/connector-registry';
import { SocialAccount } from './social-account.entity';
import { TokenRefresher, type RefreshOutcome } from './token-refresher';

const MAX_PER_ROUND = 200;

/**
 * Every `TOKEN_REFRESH_INTERVAL_MS`, refreshes the tokens that expire within
 * `TOKEN_REFRESH_AHEAD_MS`. Each account is refreshed in its own transaction holding its row
 * (`FOR UPDATE SKIP LOCKED`): replicas share the work, and a rotating refresh token (X) is never
 * spent twice. Networks without refresh tokens (Facebook) are not touched.
 */
@Injectable()
export class TokenRefreshLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = false;

  constructor(
    private readonly em: EntityManager,
    private readonly networks: ConnectorRegistry,
    private readonly refresher: TokenRefresher,
    @Inject(APP_CONFIG) private readonly config: PublishingConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.tokenRefresh.intervalMs;
    this.timer = setInterval(() => {
      if (this.running || this.stopped) return;
      this.running = this.runOnce()
        .catch((err: unknown) => this.logger.error({ err }, 'token refresh round failed'))
        .finally(() => {
          this.running = null;
        });
    }, every);
    this.timer.unref();
  }

  /** Before the connectors close: a round in flight finishes (and stores what the network rotated). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One round; returns what happened to each account it picked. */
  async runOnce(): Promise<Record<RefreshOutcome, number>> {
    const counts: Record<RefreshOutcome, number> = { refreshed: 0, disconnected: 0, retry_later: 0, skipped: 0 };
    const platforms = this.networks.configured().filter((p) => canRefreshTokens(this.networks.get(p)));
    if (!platforms.length) return counts;
    const tried: string[] = [];
    while (!this.stopped && tried.length < MAX_PER_ROUND) {
      const outcome = await this.em.fork().transactional(async (tx) => {
        const where: FilterQuery<SocialAccount> = {
          isActive: true,
          platform: { $in: platforms },
          refreshToken: { $ne: null },
          tokenExpiry: { $ne: null, $lt: new Date(Date.now() + this.config.tokenRefresh.aheadMs) },
          ...(tried.length ? { id: { $nin: tried } } : {}),
        };
        const [account] = await tx.find(SocialAccount, where, { orderBy: { tokenExpiry: 'asc' }, limit: 1, lockMode: LockMode.PESSIMISTIC_PARTIAL_WRITE });
        if (!account) return null;
        tried.push(account.id);
        const result = await this.refresher.refresh(tx, account);
        await tx.flush();
        return result;
      });
      if (!outcome) break;
      counts[outcome]++;
    }
    if (counts.refreshed || counts.disconnected || counts.retry_later) this.logger.info(counts, 'token refresh round');
    return counts;
  }
}
