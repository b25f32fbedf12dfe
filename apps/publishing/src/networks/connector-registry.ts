import type { Connector, Platform } from '@lib/connectors';

/**
 * The connectors this deployment has credentials for, one per network, built from config.
 * Injected by class: `constructor(private readonly networks: ConnectorRegistry)`.
 */
export abstract class ConnectorRegistry {
  /** The network's connector; throws a DomainError naming the network when it is not configured. */
  abstract get(platform: Platform): Connector;
  /** Networks with credentials configured. */
  abstract configured(): Platform[];
}
