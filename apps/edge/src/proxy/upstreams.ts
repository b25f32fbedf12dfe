import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { Metrics } from '@lib/observability';
import { Upstream, type BreakerOptions } from '@lib/resilience';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { EdgeConfig, UpstreamName } from '../config/edge.config';

/** The caller's request body failed on the caller's side: not the service's fault. */
export class CallerBodyError extends Error {}
/** The body passed the edge's limit. */
export class BodyTooLargeError extends CallerBodyError {}
/** The caller went away before sending the whole body. */
export class BodyInterruptedError extends CallerBodyError {}

/** Such a body aborts the forwarded request; that must not count against the service's breaker. */
const isNeutral: BreakerOptions['isNeutral'] = (err) => (err as { cause?: unknown } | null)?.cause instanceof CallerBodyError;

/** One keep-alive pool and breaker per internal service. */
@Injectable()
export class Upstreams implements OnApplicationShutdown {
  private readonly byName: Map<UpstreamName, Upstream>;
  /** Media uploads to publishing: own pool, breaker and (longer) timeout, so a slow upload neither times out like a JSON call nor trips the API's breaker. */
  readonly uploads: Upstream;

  constructor(@Inject(APP_CONFIG) config: EdgeConfig, @Inject(LOGGER) logger: Logger, metrics: Metrics) {
    this.byName = new Map(
      (Object.keys(config.upstreams) as UpstreamName[]).map((name) => [
        name,
        new Upstream(
          {
            name,
            baseUrl: config.upstreams[name].url,
            timeoutMs: config.upstreams[name].timeoutMs,
            breaker: { ...config.breaker, isNeutral },
          },
          { logger, metrics },
        ),
      ]),
    );
    this.uploads = new Upstream(
      { name: 'publishing-uploads', baseUrl: config.upstreams.publishing.url, timeoutMs: config.upload.timeoutMs, breaker: { ...config.breaker, isNeutral } },
      { logger, metrics },
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
    await Promise.all([...this.byName.values(), this.uploads].map((u) => u.close()));
  }
}
