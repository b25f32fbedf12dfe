import { EnvReader, readCommon, readDatabaseUrl, readOutbox, type CommonConfig, type OutboxConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';

export interface PublishingConfig extends CommonConfig {
  databaseUrl: string;
  outbox: OutboxConfig;
}

/** The only place publishing reads its environment. */
export function loadPublishingConfig(source: Record<string, string | undefined> = process.env): PublishingConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'publishing', SERVICES.publishing.port),
    databaseUrl: readDatabaseUrl(env),
    outbox: readOutbox(env),
  });
}
