import { Module, type DynamicModule } from '@nestjs/common';
import { mongoServiceModules, type ServiceRuntime } from '@lib/service-kit';
import type { AnalyticsConfig } from './config/analytics.config';

@Module({})
export class AnalyticsModule {
  static register(rt: ServiceRuntime<AnalyticsConfig>): DynamicModule {
    return {
      module: AnalyticsModule,
      imports: mongoServiceModules(rt),
    };
  }
}
