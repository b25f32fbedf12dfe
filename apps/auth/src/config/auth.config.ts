import { EnvReader, readCommon, readDatabaseUrl, readOutbox, type CommonConfig, type OutboxConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';

export interface AuthConfig extends CommonConfig {
  databaseUrl: string;
  outbox: OutboxConfig;
  /** Signs access tokens (PEM, ES256). Only auth holds it. */
  jwtPrivateKey: string;
}

/** The only place auth reads its environment. */
export function loadAuthConfig(source: Record<string, string | undefined> = process.env): AuthConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'auth', SERVICES.auth.port),
    databaseUrl: readDatabaseUrl(env),
    outbox: readOutbox(env),
    jwtPrivateKey: env.pem('JWT_PRIVATE_KEY', 'PRIVATE'),
  });
}
