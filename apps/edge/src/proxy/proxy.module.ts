import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { JwtVerifier } from '@lib/auth-verify';
import type { Logger } from 'pino';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { EdgeConfig } from '../config/edge.config';
import { EventStream } from '../events/event-stream';
import { RequestAudit } from '../events/request-audit';
import { docsPlugin } from '../docs/docs.plugin';
import type { UpstreamName } from '../config/edge.config';
import { EdgeGuard } from '../protection/guard';
import { proxyPlugin } from './proxy.plugin';
import { Upstreams } from './upstreams';

@Module({ providers: [Upstreams, EventStream, RequestAudit], exports: [Upstreams, EventStream] })
export class ProxyModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly upstreams: Upstreams,
    @Inject(APP_CONFIG) private readonly config: EdgeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly verifier: JwtVerifier,
    private readonly events: EventStream,
    private readonly audit: RequestAudit,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const guard = new EdgeGuard(this.verifier, this.config.rateLimits);
    await fastify.register(docsPlugin(this.upstreams, Object.keys(this.config.upstreams) as UpstreamName[], this.logger));
    await fastify.register(proxyPlugin(this.upstreams, guard, this.events, this.audit, this.config, this.logger));
  }
}
