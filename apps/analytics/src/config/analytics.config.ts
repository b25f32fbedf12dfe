import { EnvReader, readCommon, readMongoUrl, type CommonConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';

export interface AnalyticsConfig extends CommonConfig {
  mongodbUrl: string;
}

/** The only place analytics reads its environment. */
export function loadAnalyticsConfig(source: Record<string, string | undefined> = process.env): AnalyticsConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'analytics', SERVICES.analytics.port),
    mongodbUrl: readMongoUrl(env),
  });
}
