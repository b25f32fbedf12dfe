import { EnvReader, readCommon, readMongoUrl, type CommonConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';

export interface AuditConfig extends CommonConfig {
  mongodbUrl: string;
}

/** The only place audit reads its environment. */
export function loadAuditConfig(source: Record<string, string | undefined> = process.env): AuditConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'audit', SERVICES.audit.port),
    mongodbUrl: readMongoUrl(env),
  });
}
