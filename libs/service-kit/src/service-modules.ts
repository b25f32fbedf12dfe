import type { ModuleMetadata } from '@nestjs/common';
import type { Options } from '@mikro-orm/core';
import { MikroOrmModule, type MikroOrmModuleOptions } from '@mikro-orm/nestjs';
import type { CommonConfig, OutboxConfig } from '@lib/config';
import { MONGO_MESSAGING_ENTITIES } from '@lib/messaging';
import { mongoDbName, mongoOrmOptions } from '@lib/persistence';
import type { ServiceRuntime } from './bootstrap';
import { IdempotencyKeyDoc } from './idempotency';
import { KafkaModule, KafkaReadiness } from './kafka.module';
import { MongoModule, MongoReadiness } from './mongo.module';
import { OutboxModule, OutboxRelayRunner, PostgresReadiness } from './outbox.module';
import { PlatformModule } from './platform.module';

type Imports = NonNullable<ModuleMetadata['imports']>;

/**
 * What a PostgreSQL service starts with: the platform (ready once PostgreSQL, Kafka and the
 * outbox relay are), Kafka, its own database through `orm`, and its outbox.
 */
export function postgresServiceModules(rt: ServiceRuntime<CommonConfig & { databaseUrl: string; outbox: OutboxConfig }>, orm: MikroOrmModuleOptions): Imports {
  return [
    PlatformModule.forRoot({ ...rt, readinessTokens: [PostgresReadiness, KafkaReadiness, OutboxRelayRunner] }),
    KafkaModule.forRoot(rt.config.kafka),
    MikroOrmModule.forRoot(orm),
    OutboxModule.forRoot({ service: rt.config.service, databaseUrl: rt.config.databaseUrl, outbox: rt.config.outbox }),
  ];
}

/**
 * What a MongoDB service starts with: the platform (ready once MongoDB and Kafka are), Kafka, and
 * its own database (named after the service unless the URL names one) holding the messaging and
 * idempotency documents plus `entities`.
 */
export function mongoServiceModules(rt: ServiceRuntime<CommonConfig & { mongodbUrl: string }>, entities: NonNullable<Options['entities']> = []): Imports {
  const { mongodbUrl, service } = rt.config;
  return [
    PlatformModule.forRoot({ ...rt, readinessTokens: [MongoReadiness, KafkaReadiness] }),
    KafkaModule.forRoot(rt.config.kafka),
    MikroOrmModule.forRoot(mongoOrmOptions({ clientUrl: mongodbUrl, dbName: mongoDbName(mongodbUrl, service), entities: [...MONGO_MESSAGING_ENTITIES, IdempotencyKeyDoc, ...entities] })),
    MongoModule,
  ];
}
