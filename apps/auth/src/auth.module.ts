import { Module, type DynamicModule } from '@nestjs/common';
import { postgresServiceModules, type ServiceRuntime } from '@lib/service-kit';
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
        ...postgresServiceModules(rt, authOrmOptions(rt.config.databaseUrl)),
        AuthCoreModule,
        SessionsModule,
        UsersModule,
        WorkspacesModule,
        InvitationsModule,
      ],
    };
  }
}
