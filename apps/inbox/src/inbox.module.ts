import { Module, type DynamicModule } from '@nestjs/common';
import { postgresServiceModules, type ServiceRuntime } from '@lib/service-kit';
import type { InboxConfig } from './config/inbox.config';
import { inboxOrmOptions } from './orm.config';

@Module({})
export class InboxModule {
  static register(rt: ServiceRuntime<InboxConfig>): DynamicModule {
    return {
      module: InboxModule,
      imports: postgresServiceModules(rt, inboxOrmOptions(rt.config.databaseUrl)),
    };
  }
}
