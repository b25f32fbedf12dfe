import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { Logger } from 'pino';
import type { CommonConfig } from '@lib/config';
import { JwtAuthGuard, JwtStrategy, JwtVerifier } from '@lib/auth-verify';
import { Metrics } from '@lib/observability';
import { HealthController } from './health.controller';
import { HealthRegistry } from './health.registry';
import { IdempotencyInterceptor, IdempotencyReplayDeps, StreamedIdempotency } from './idempotency';
import { ProblemFilter } from './problem.filter';
import { APP_CONFIG, LOGGER, READINESS_CHECKS, type ReadinessCheck } from './tokens';
import { createValidationPipe } from './validation';

export interface PlatformModuleOptions {
  config: CommonConfig;
  logger: Logger;
  metrics: Metrics;
  /** Providers that implement ReadinessCheck; /health/ready runs them all. */
  readiness?: Provider<ReadinessCheck>[];
  /** Tokens of those providers (usually their classes). */
  readinessTokens?: unknown[];
}

/**
 * What every service has: its config, JSON logger and metrics, problem+json errors, validated
 * input, bearer-token verification on every route, liveness, readiness and /metrics.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(opts: PlatformModuleOptions): DynamicModule {
    const tokens = opts.readinessTokens ?? [];
    return {
      module: PlatformModule,
      imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: false })],
      controllers: [HealthController],
      providers: [
        { provide: APP_CONFIG, useValue: opts.config },
        { provide: LOGGER, useValue: opts.logger },
        { provide: Metrics, useValue: opts.metrics },
        { provide: JwtVerifier, useValue: new JwtVerifier(opts.config.jwtPublicKey) },
        JwtStrategy,
        ...(opts.readiness ?? []),
        {
          provide: READINESS_CHECKS,
          useFactory: (...checks: ReadinessCheck[]) => checks,
          inject: tokens as never[],
        },
        IdempotencyReplayDeps,
        StreamedIdempotency,
        HealthRegistry,
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        // Active where the service provides an IDEMPOTENCY_STORE (its own database).
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
      exports: [APP_CONFIG, LOGGER, Metrics, JwtVerifier, IdempotencyReplayDeps, StreamedIdempotency, HealthRegistry],
    };
  }
}
