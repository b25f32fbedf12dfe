import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '@lib/contracts';
import { FacebookConnector, LinkedInConnector, TwitterConnector, type Connector, type Platform } from '@lib/connectors';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { NetworksConfig, PublishingConfig } from '../config/publishing.config';
import { ConnectorRegistry } from './connector-registry';

export const NetworkErrors = {
  notConfigured: 'PUBLISHING.NETWORK_NOT_CONFIGURED_UNPROCESSABLE',
} as const;

/** Builds one connector per network that has credentials; secrets stay inside the connectors. */
export function buildConnectors(networks: NetworksConfig, logger?: Logger): Map<Platform, Connector> {
  const deps = { logger };
  const built = new Map<Platform, Connector>();
  const timeoutMs = networks.timeoutMs;
  if (networks.twitter) built.set('TWITTER', new TwitterConnector({ ...networks.twitter, timeoutMs }, deps));
  if (networks.facebook) built.set('FACEBOOK', new FacebookConnector({ ...networks.facebook, timeoutMs }, deps));
  if (networks.linkedin) built.set('LINKEDIN', new LinkedInConnector({ ...networks.linkedin, timeoutMs }, deps));
  return built;
}

@Injectable()
export class ConfiguredConnectorRegistry extends ConnectorRegistry implements OnApplicationShutdown {
  private readonly connectors: Map<Platform, Connector>;

  constructor(@Inject(APP_CONFIG) config: PublishingConfig, @Inject(LOGGER) logger: Logger) {
    super();
    this.connectors = buildConnectors(config.networks, logger);
    logger.info({ networks: this.configured() }, 'social networks configured');
  }

  get(platform: Platform): Connector {
    const c = this.connectors.get(platform);
    if (!c) {
      throw new DomainError(NetworkErrors.notConfigured, `${platform} is not configured on this deployment`, {
        detail: `Set the ${platform} client id and secret in publishing's configuration to connect ${platform} accounts`,
        platform,
      });
    }
    return c;
  }

  configured(): Platform[] {
    return [...this.connectors.keys()];
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.connectors.values()].map((c) => c.close()));
  }
}
