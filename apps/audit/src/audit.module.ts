import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MONGO_MESSAGING_ENTITIES } from '@lib/messaging';
import { mongoOrmOptions } from '@lib/persistence';
import { IdempotencyKeyDoc, KafkaModule, KafkaReadiness, MongoModule, MongoReadiness, PlatformModule, type ServiceRuntime } from '@lib/service-kit';
import type { AuditConfig } from './config/audit.config';

@Module({})
export class AuditModule {
  static register(rt: ServiceRuntime<AuditConfig>): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        PlatformModule.forRoot({ ...rt, readinessTokens: [MongoReadiness, KafkaReadiness] }),
        KafkaModule.forRoot(rt.config.kafka),
        MikroOrmModule.forRoot(mongoOrmOptions({ clientUrl: rt.config.mongodbUrl, dbName: 'audit', entities: [...MONGO_MESSAGING_ENTITIES, IdempotencyKeyDoc] })),
        MongoModule,
      ],
    };
  }
}
