import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MONGO_MESSAGING_ENTITIES } from '@lib/messaging';
import { mongoDbName, mongoOrmOptions } from '@lib/persistence';
import { IdempotencyKeyDoc, KafkaModule, KafkaReadiness, MongoModule, MongoReadiness, PlatformModule, type ServiceRuntime } from '@lib/service-kit';
import type { ListeningConfig } from './config/listening.config';

@Module({})
export class ListeningModule {
  static register(rt: ServiceRuntime<ListeningConfig>): DynamicModule {
    return {
      module: ListeningModule,
      imports: [
        PlatformModule.forRoot({ ...rt, readinessTokens: [MongoReadiness, KafkaReadiness] }),
        KafkaModule.forRoot(rt.config.kafka),
        MikroOrmModule.forRoot(mongoOrmOptions({ clientUrl: rt.config.mongodbUrl, dbName: mongoDbName(rt.config.mongodbUrl, 'listening'), entities: [...MONGO_MESSAGING_ENTITIES, IdempotencyKeyDoc] })),
        MongoModule,
      ],
    };
  }
}
