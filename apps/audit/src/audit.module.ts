import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PermissionsGuard } from '@lib/permissions';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import { MONGO_MESSAGING_ENTITIES } from '@lib/messaging';
import { mongoDbName, mongoOrmOptions } from '@lib/persistence';
import { IdempotencyKeyDoc, KafkaModule, KafkaReadiness, MongoModule, MongoReadiness, PlatformModule, type ServiceRuntime } from '@lib/service-kit';
import type { AuditConfig } from './config/audit.config';
import { AUDIT_ENTITIES } from './logs/audit-log.entity';
import { AuditLogsModule } from './logs/audit-logs.module';

@Module({})
export class AuditModule {
  static register(rt: ServiceRuntime<AuditConfig>): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        PlatformModule.forRoot({ ...rt, readinessTokens: [MongoReadiness, KafkaReadiness] }),
        KafkaModule.forRoot(rt.config.kafka),
        MikroOrmModule.forRoot(
          mongoOrmOptions({ clientUrl: rt.config.mongodbUrl, dbName: mongoDbName(rt.config.mongodbUrl, 'audit'), entities: [...MONGO_MESSAGING_ENTITIES, IdempotencyKeyDoc, ...AUDIT_ENTITIES] }),
        ),
        MongoModule,
        AuditLogsModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: PermissionsGuard }],
    };
  }
}
