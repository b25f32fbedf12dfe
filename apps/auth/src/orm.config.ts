import { MESSAGING_ENTITIES } from '@lib/messaging';
import { postgresOrmOptions } from '@lib/persistence';
import { PLATFORM_ENTITIES } from '@lib/service-kit';
import { AUTH_MIGRATIONS } from './migrations';
import { Invitation } from './invitations/invitation.entity';
import { LoginThrottle } from './sessions/login-throttle.entity';
import { RefreshToken } from './sessions/refresh-token.entity';
import { Session } from './sessions/session.entity';
import { UserPermission } from './users/user-permission.entity';
import { User } from './users/user.entity';
import { Workspace } from './workspaces/workspace.entity';

/** Every entity auth owns; migrations are generated from these (npm run migration:create -- auth). */
export const AUTH_ENTITIES = [Workspace, User, UserPermission, Session, RefreshToken, Invitation, LoginThrottle, ...MESSAGING_ENTITIES, ...PLATFORM_ENTITIES];

export function authOrmOptions(clientUrl: string, migrationsPathTs?: string) {
  return postgresOrmOptions({
    service: 'auth',
    clientUrl,
    entities: AUTH_ENTITIES,
    migrations: AUTH_MIGRATIONS,
    migrationsPathTs,
  });
}
