import { Module, type DynamicModule } from '@nestjs/common';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import {
  KafkaModule,
  KafkaReadiness,
  OutboxModule,
  OutboxRelayRunner,
  PlatformModule,
  PostgresReadiness,
  type ServiceRuntime,
} from '@lib/service-kit';
import type { InboxConfig } from './config/inbox.config';
import { inboxOrmOptions } from './orm.config';

@Module({})
export class InboxModule {
  static register(rt: ServiceRuntime<InboxConfig>): DynamicModule {
    return {
      module: InboxModule,
      imports: [
        PlatformModule.forRoot({ ...rt, readinessTokens: [PostgresReadiness, KafkaReadiness, OutboxRelayRunner] }),
        KafkaModule.forRoot(rt.config.kafka),
        MikroOrmModule.forRoot(inboxOrmOptions(rt.config.databaseUrl)),
        OutboxModule.forRoot({ service: 'inbox', databaseUrl: rt.config.databaseUrl, outbox: rt.config.outbox }),
      ],
    };
  }
}
