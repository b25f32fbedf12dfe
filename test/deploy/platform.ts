// The platform's deployment contract, shared by the compose and Kubernetes checks.
export type Store = 'postgres' | 'mongo' | 'none';

export interface ServiceSpec {
  name: string;
  port: number;
  store: Store;
  /** Variables beyond the common ones that the service needs. */
  env: string[];
  /** Variables that must come from a Secret (never a ConfigMap or a literal). */
  secretEnv: string[];
}

export const COMMON_ENV = ['PORT', 'LOG_LEVEL', 'NODE_ENV', 'KAFKA_BROKERS', 'KAFKA_IDEMPOTENT', 'JWT_PUBLIC_KEY'];
export const UPSTREAMS = ['auth', 'publishing', 'inbox', 'listening', 'analytics', 'audit', 'ai'];

const pg = (name: string, port: number, extra: string[] = [], extraSecret: string[] = []): ServiceSpec => ({
  name,
  port,
  store: 'postgres',
  env: ['DATABASE_URL', 'OUTBOX_RETENTION_HOURS', ...extra],
  secretEnv: ['JWT_PUBLIC_KEY', 'DATABASE_URL', ...extraSecret],
});
const mongo = (name: string, port: number): ServiceSpec => ({
  name,
  port,
  store: 'mongo',
  env: ['MONGODB_URL'],
  secretEnv: ['JWT_PUBLIC_KEY', 'MONGODB_URL'],
});

export const SERVICES: ServiceSpec[] = [
  {
    name: 'edge',
    port: 3000,
    store: 'none',
    env: [...UPSTREAMS.map((u) => `${u.toUpperCase()}_URL`), 'UPSTREAM_TIMEOUT_MS', 'CORS_ORIGINS', 'EDGE_UPLOAD_LIMIT_BYTES'],
    secretEnv: ['JWT_PUBLIC_KEY'],
  },
  pg('auth', 3001, ['JWT_PRIVATE_KEY'], ['JWT_PRIVATE_KEY']),
  pg('publishing', 3002, ['TOKEN_ENCRYPTION_KEYS', 'MEDIA_DIR'], ['TOKEN_ENCRYPTION_KEYS']),
  pg('inbox', 3003),
  mongo('listening', 3004),
  mongo('analytics', 3005),
  mongo('audit', 3006),
  mongo('ai', 3007),
];

export const PG_SERVICES = SERVICES.filter((s) => s.store === 'postgres').map((s) => s.name);
export const requiredEnv = (s: ServiceSpec): string[] => [...COMMON_ENV, ...s.env];
