import { EnvReader, readCommon, readMongoUrl, type CommonConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';

export interface AiConfig extends CommonConfig {
  mongodbUrl: string;
}

/** The only place ai reads its environment. */
export function loadAiConfig(source: Record<string, string | undefined> = process.env): AiConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'ai', SERVICES.ai.port),
    mongodbUrl: readMongoUrl(env),
  });
}
