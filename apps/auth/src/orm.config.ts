import { MESSAGING_ENTITIES } from '@lib/messaging';
import { postgresOrmOptions } from '@lib/persistence';
import { AUTH_MIGRATIONS } from './migrations';

/** Every entity auth owns; migrations are generated from these (npm run migration:create -- auth). */
export const AUTH_ENTITIES = [...MESSAGING_ENTITIES];

export function authOrmOptions(clientUrl: string, migrationsPathTs?: string) {
  return postgresOrmOptions({
    service: 'auth',
    clientUrl,
    entities: AUTH_ENTITIES,
    migrations: AUTH_MIGRATIONS,
    migrationsPathTs,
  });
}
