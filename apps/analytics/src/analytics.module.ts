import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MONGO_MESSAGING_ENTITIES } from '@lib/messaging';
import { mongoDbName, mongoOrmOptions } from '@lib/persistence';
import { IdempotencyKeyDoc, KafkaModule, KafkaReadiness, MongoModule, MongoReadiness, PlatformModule, type ServiceRuntime } from '@lib/service-kit';
import type { AnalyticsConfig } from './config/analytics.config';

@Module({})
export class AnalyticsModule {
  static register(rt: ServiceRuntime<AnalyticsConfig>): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: [
        PlatformModule.forRoot({ ...rt, readinessTokens: [MongoReadiness, KafkaReadiness] }),
        KafkaModule.forRoot(rt.config.kafka),
        MikroOrmModule.forRoot(mongoOrmOptions({ clientUrl: rt.config.mongodbUrl, dbName: mongoDbName(rt.config.mongodbUrl, 'analytics'), entities: [...MONGO_MESSAGING_ENTITIES, IdempotencyKeyDoc] })),
        MongoModule,
      ],
    };
  }
}
