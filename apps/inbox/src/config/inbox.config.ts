import { EnvReader, readCommon, readDatabaseUrl, readOutbox, type CommonConfig, type OutboxConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';

export interface InboxConfig extends CommonConfig {
  databaseUrl: string;
  outbox: OutboxConfig;
}

/** The only place inbox reads its environment. */
export function loadInboxConfig(source: Record<string, string | undefined> = process.env): InboxConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'inbox', SERVICES.inbox.port),
    databaseUrl: readDatabaseUrl(env),
    outbox: readOutbox(env),
  });
}
