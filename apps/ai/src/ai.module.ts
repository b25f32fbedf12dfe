import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MONGO_MESSAGING_ENTITIES } from '@lib/messaging';
import { mongoDbName, mongoOrmOptions } from '@lib/persistence';
import { IdempotencyKeyDoc, KafkaModule, KafkaReadiness, MongoModule, MongoReadiness, PlatformModule, type ServiceRuntime } from '@lib/service-kit';
import type { AiConfig } from './config/ai.config';

@Module({})
export class AiModule {
  static register(rt: ServiceRuntime<AiConfig>): DynamicModule {
    return {
      module: AiModule,
      imports: [
        PlatformModule.forRoot({ ...rt, readinessTokens: [MongoReadiness, KafkaReadiness] }),
        KafkaModule.forRoot(rt.config.kafka),
        MikroOrmModule.forRoot(mongoOrmOptions({ clientUrl: rt.config.mongodbUrl, dbName: mongoDbName(rt.config.mongodbUrl, 'ai'), entities: [...MONGO_MESSAGING_ENTITIES, IdempotencyKeyDoc] })),
        MongoModule,
      ],
    };
  }
}
