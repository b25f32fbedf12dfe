import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { KafkaConfig, OutboxConfig } from '@lib/config';
import { OutboxRelay, OutboxWriter, PgDedupeStore, createProducer } from '@lib/messaging';
import { Metrics } from '@lib/observability';
import { IDEMPOTENCY_STORE, PgIdempotencyStore } from './idempotency';
import { KAFKA, KAFKA_CONFIG } from './kafka.module';
import { LOGGER, type ReadinessCheck } from './tokens';

export const OUTBOX_POOL = Symbol('OUTBOX_POOL');

export interface OutboxModuleOptions {
  service: string;
  databaseUrl: string;
  outbox: OutboxConfig;
}

/** Runs the relay for the life of the process; readiness reports a relay that cannot publish. */
@Injectable()
export class OutboxRelayRunner implements OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'outbox';
  readonly relay: OutboxRelay;

  constructor(
    @Inject(OUTBOX_POOL) private readonly pool: Pool,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_CONFIG) kafkaConfig: KafkaConfig,
    @Inject(LOGGER) logger: Logger,
    metrics: Metrics,
    @Inject('OUTBOX_OPTIONS') opts: OutboxModuleOptions,
  ) {
    this.relay = new OutboxRelay({
      pool,
      producer: createProducer(kafka, kafkaConfig),
      admin: kafka.admin(),
      logger: logger.child({ component: 'outbox-relay' }),
      metrics,
      config: opts.outbox,
      name: opts.service,
    });
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.relay.stop();
    await this.pool.end();
  }

  async check(): Promise<Record<string, unknown>> {
    // Pending events while Kafka is down are safe in PostgreSQL; report, don't fail readiness.
    return { relay: this.relay.state, ...(this.relay.lastError ? { lastError: this.relay.lastError } : {}) };
  }
}

/** Readiness: the service's PostgreSQL database answers. */
@Injectable()
export class PostgresReadiness implements ReadinessCheck {
  readonly name = 'postgres';
  constructor(private readonly orm: MikroORM) {}

  async check(): Promise<void> {
    const ok = await this.orm.isConnected();
    if (!ok) throw new Error('database connection is down');
  }
}

/** Transactional outbox (writer + relay) and de-duplication for a PostgreSQL-owning service. */
@Global()
@Module({})
export class OutboxModule {
  static forRoot(opts: OutboxModuleOptions): DynamicModule {
    return {
      module: OutboxModule,
      providers: [
        { provide: 'OUTBOX_OPTIONS', useValue: opts },
        { provide: OUTBOX_POOL, useFactory: () => new Pool({ connectionString: opts.databaseUrl, max: 4 }) },
        { provide: OutboxWriter, useValue: new OutboxWriter(opts.service) },
        { provide: PgDedupeStore, useFactory: (orm: MikroORM) => new PgDedupeStore(orm), inject: [MikroORM] },
        { provide: IDEMPOTENCY_STORE, useFactory: (orm: MikroORM) => new PgIdempotencyStore(orm), inject: [MikroORM] },
        OutboxRelayRunner,
        PostgresReadiness,
      ],
      exports: [OutboxWriter, PgDedupeStore, OutboxRelayRunner, PostgresReadiness, IDEMPOTENCY_STORE],
    };
  }
}
