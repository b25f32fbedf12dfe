import { Module, type DynamicModule } from '@nestjs/common';
import { mongoServiceModules, type ServiceRuntime } from '@lib/service-kit';
import type { AiConfig } from './config/ai.config';

@Module({})
export class AiModule {
  static register(rt: ServiceRuntime<AiConfig>): DynamicModule {
    return {
      module: AiModule,
      imports: mongoServiceModules(rt),
    };
  }
}
