import { Module, type DynamicModule } from '@nestjs/common';
import { mongoServiceModules, type ServiceRuntime } from '@lib/service-kit';
import type { ListeningConfig } from './config/listening.config';

@Module({})
export class ListeningModule {
  static register(rt: ServiceRuntime<ListeningConfig>): DynamicModule {
    return {
      module: ListeningModule,
      imports: mongoServiceModules(rt),
    };
  }
}
