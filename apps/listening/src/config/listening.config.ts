import { EnvReader, readCommon, readMongoUrl, type CommonConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';

export interface ListeningConfig extends CommonConfig {
  mongodbUrl: string;
}

/** The only place listening reads its environment. */
export function loadListeningConfig(source: Record<string, string | undefined> = process.env): ListeningConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'listening', SERVICES.listening.port),
    mongodbUrl: readMongoUrl(env),
  });
}
