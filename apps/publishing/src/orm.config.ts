import { MESSAGING_ENTITIES } from '@lib/messaging';
import { postgresOrmOptions } from '@lib/persistence';
import { PLATFORM_ENTITIES } from '@lib/service-kit';
import { PUBLISHING_MIGRATIONS } from './migrations';

/** Every entity publishing owns; migrations are generated from these (npm run migration:create -- publishing). */
export const PUBLISHING_ENTITIES = [...MESSAGING_ENTITIES, ...PLATFORM_ENTITIES];

export function publishingOrmOptions(clientUrl: string, migrationsPathTs?: string) {
  return postgresOrmOptions({
    service: 'publishing',
    clientUrl,
    entities: PUBLISHING_ENTITIES,
    migrations: PUBLISHING_MIGRATIONS,
    migrationsPathTs,
  });
}
