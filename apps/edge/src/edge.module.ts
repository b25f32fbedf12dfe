import { Module, type DynamicModule } from '@nestjs/common';
import { KafkaModule, KafkaReadiness, PlatformModule, type ServiceRuntime } from '@lib/service-kit';
import type { EdgeConfig } from './config/edge.config';
import { ProxyModule } from './proxy/proxy.module';

@Module({})
export class EdgeModule {
  static register(rt: ServiceRuntime<EdgeConfig>): DynamicModule {
    return {
      module: EdgeModule,
      imports: [
        PlatformModule.forRoot({ ...rt, readinessTokens: [KafkaReadiness] }),
        KafkaModule.forRoot(rt.config.kafka),
        ProxyModule,
      ],
    };
  }
}
