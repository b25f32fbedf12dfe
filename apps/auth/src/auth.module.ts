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
import { AuthCoreModule } from './auth-core.module';
import type { AuthConfig } from './config/auth.config';
import { InvitationsModule } from './invitations/invitations.module';
import { authOrmOptions } from './orm.config';
import { SessionsModule } from './sessions/sessions.module';
import { UsersModule } from './users/users.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

@Module({})
export class AuthModule {
  static register(rt: ServiceRuntime<AuthConfig>): DynamicModule {
    return {
      module: AuthModule,
      imports: [
        PlatformModule.forRoot({ ...rt, readinessTokens: [PostgresReadiness, KafkaReadiness, OutboxRelayRunner] }),
        KafkaModule.forRoot(rt.config.kafka),
        MikroOrmModule.forRoot(authOrmOptions(rt.config.databaseUrl)),
        OutboxModule.forRoot({ service: 'auth', databaseUrl: rt.config.databaseUrl, outbox: rt.config.outbox }),
        AuthCoreModule,
        SessionsModule,
        UsersModule,
        WorkspacesModule,
        InvitationsModule,
      ],
    };
  }
}
