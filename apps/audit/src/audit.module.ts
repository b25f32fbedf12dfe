import { Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PermissionsGuard } from '@lib/permissions';
import { mongoServiceModules, type ServiceRuntime } from '@lib/service-kit';
import type { AuditConfig } from './config/audit.config';
import { AUDIT_ENTITIES } from './logs/audit-log.entity';
import { AuditLogsModule } from './logs/audit-logs.module';

@Module({})
export class AuditModule {
  static register(rt: ServiceRuntime<AuditConfig>): DynamicModule {
    return {
      module: AuditModule,
      imports: [
        ...mongoServiceModules(rt, AUDIT_ENTITIES),
        AuditLogsModule,
      ],
      providers: [{ provide: APP_GUARD, useClass: PermissionsGuard }],
    };
  }
}
