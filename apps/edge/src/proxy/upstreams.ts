import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Metrics } from '@lib/observability';
import { Upstream } from '@lib/resilience';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { EdgeConfig, UpstreamName } from '../config/edge.config';

/** One keep-alive pool and breaker per internal service. */
@Injectable()
export class Upstreams implements OnApplicationShutdown {
  private readonly byName: Map<UpstreamName, Upstream>;

  constructor(@Inject(APP_CONFIG) config: EdgeConfig, @Inject(LOGGER) logger: Logger, metrics: Metrics) {
    this.byName = new Map(
      (Object.keys(config.upstreams) as UpstreamName[]).map((name) => [
        name,
        new Upstream(
          {
            name,
            baseUrl: config.upstreams[name].url,
            timeoutMs: config.upstreams[name].timeoutMs,
            breaker: config.breaker,
          },
          { logger, metrics },
        ),
      ]),
    );
  }

  get(name: UpstreamName): Upstream {
    const u = this.byName.get(name);
    if (!u) throw new Error(`no upstream ${name}`);
    return u;
  }

  states(): Record<string, string> {
    return Object.fromEntries([...this.byName].map(([n, u]) => [n, u.state]));
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.byName.values()].map((u) => u.close()));
  }
}
