import { EnvReader, readCommon, readDatabaseUrl, readOutbox, type CommonConfig, type OutboxConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';
import { parseTokenKeys, type TokenKey } from '../accounts/token-cipher';

export interface PublishingConfig extends CommonConfig {
  databaseUrl: string;
  outbox: OutboxConfig;
  /** Keys that encrypt network tokens at rest; the first is current, the rest still decrypt. */
  tokenKeys: { current: TokenKey; others: TokenKey[] };
}

/** The only place publishing reads its environment. */
export function loadPublishingConfig(source: Record<string, string | undefined> = process.env): PublishingConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'publishing', SERVICES.publishing.port),
    databaseUrl: readDatabaseUrl(env),
    outbox: readOutbox(env),
    tokenKeys: readTokenKeys(env),
  });
}

function readTokenKeys(env: EnvReader): { current: TokenKey; others: TokenKey[] } {
  return env.parsed('TOKEN_ENCRYPTION_KEYS', parseTokenKeys, { current: { id: 'unset', key: Buffer.alloc(32) }, others: [] });
}
