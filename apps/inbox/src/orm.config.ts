import { MESSAGING_ENTITIES } from '@lib/messaging';
import { postgresOrmOptions } from '@lib/persistence';
import { PLATFORM_ENTITIES } from '@lib/service-kit';
import { INBOX_MIGRATIONS } from './migrations';

/** Every entity inbox owns; migrations are generated from these (npm run migration:create -- inbox). */
export const INBOX_ENTITIES = [...MESSAGING_ENTITIES, ...PLATFORM_ENTITIES];

export function inboxOrmOptions(clientUrl: string, migrationsPathTs?: string) {
  return postgresOrmOptions({
    service: 'inbox',
    clientUrl,
    entities: INBOX_ENTITIES,
    migrations: INBOX_MIGRATIONS,
    migrationsPathTs,
  });
}
