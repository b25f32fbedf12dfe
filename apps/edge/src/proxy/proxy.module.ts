import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { APP_CONFIG, LOGGER } from '@lib/service-kit';
import type { EdgeConfig } from '../config/edge.config';
import { proxyPlugin } from './proxy.plugin';
import { Upstreams } from './upstreams';

@Module({ providers: [Upstreams], exports: [Upstreams] })
export class ProxyModule implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly upstreams: Upstreams,
    @Inject(APP_CONFIG) private readonly config: EdgeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    await fastify.register(proxyPlugin(this.upstreams, this.config, this.logger));
  }
}
