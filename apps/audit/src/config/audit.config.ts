import { EnvReader, readCommon, readMongoUrl, type CommonConfig } from '@lib/config';
import { SERVICES } from '@lib/contracts';

export type Plan = 'FREE' | 'STARTER' | 'PROFESSIONAL' | 'ENTERPRISE';

export interface AuditConfig extends CommonConfig {
  mongodbUrl: string;
  /** Days an entry is kept, per workspace plan. */
  retentionDays: Record<Plan, number>;
  /** How often retention runs. */
  retentionIntervalMs: number;
}

/** The only place audit reads its environment. */
export function loadAuditConfig(source: Record<string, string | undefined> = process.env): AuditConfig {
  const env = new EnvReader(source);
  const days = (name: string, fallback: number) => env.int(name, fallback, { min: 1, max: 36_500 });
  return env.done({
    ...readCommon(env, 'audit', SERVICES.audit.port),
    mongodbUrl: readMongoUrl(env),
    retentionDays: {
      FREE: days('AUDIT_RETENTION_DAYS_FREE', 30),
      STARTER: days('AUDIT_RETENTION_DAYS_STARTER', 90),
      PROFESSIONAL: days('AUDIT_RETENTION_DAYS_PROFESSIONAL', 365),
      ENTERPRISE: days('AUDIT_RETENTION_DAYS_ENTERPRISE', 2555),
    },
    retentionIntervalMs: env.int('AUDIT_RETENTION_INTERVAL_MS', 3_600_000, { min: 1000, max: 86_400_000 }),
  });
}
