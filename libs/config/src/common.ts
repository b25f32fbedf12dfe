import { type EnvReader } from './env';

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** Idempotent producer: on against real Kafka; the embedded mock refuses it. */
  idempotent: boolean;
  /** Fetch long-poll; the mock never cuts it short, so the dev stack sets ~10 ms. */
  maxWaitMs: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  /** Put before every consumer group id: two deployments (or test runs) sharing one cluster stay apart. */
  groupPrefix?: string;
}

export interface CommonConfig {
  service: string;
  port: number;
  host: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Take the client address from X-Forwarded-For (only behind a proxy that sets it). */
  trustProxy: boolean;
  kafka: KafkaConfig;
  jwtPublicKey: string;
}

export function readCommon(env: EnvReader, service: string, defaultPort: number): CommonConfig {
  return {
    service,
    port: env.int('PORT', defaultPort, { min: 0, max: 65535 }),
    host: env.string('HOST', '0.0.0.0'),
    logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    trustProxy: env.bool('TRUST_PROXY', false),
    kafka: {
      brokers: env.hostList('KAFKA_BROKERS'),
      clientId: env.string('KAFKA_CLIENT_ID', service),
      idempotent: env.bool('KAFKA_IDEMPOTENT', true),
      maxWaitMs: env.int('KAFKA_MAX_WAIT_MS', 5000, { min: 1, max: 60000 }),
      sessionTimeoutMs: env.int('KAFKA_SESSION_TIMEOUT_MS', 30000, { min: 1000, max: 300000 }),
      heartbeatIntervalMs: env.int('KAFKA_HEARTBEAT_INTERVAL_MS', 3000, { min: 100, max: 60000 }),
      groupPrefix: env.string('KAFKA_GROUP_PREFIX', ''),
    },
    jwtPublicKey: env.pem('JWT_PUBLIC_KEY', 'PUBLIC'),
  };
}

export interface OutboxConfig {
  retentionHours: number;
  pollIntervalMs: number;
  batchSize: number;
}

export function readOutbox(env: EnvReader): OutboxConfig {
  return {
    retentionHours: env.int('OUTBOX_RETENTION_HOURS', 24, { min: 1, max: 24 * 30 }),
    pollIntervalMs: env.int('OUTBOX_POLL_INTERVAL_MS', 500, { min: 10, max: 60000 }),
    batchSize: env.int('OUTBOX_BATCH_SIZE', 500, { min: 1, max: 10000 }),
  };
}

export function readDatabaseUrl(env: EnvReader): string {
  return env.url('DATABASE_URL', ['postgres', 'postgresql']);
}

export function readMongoUrl(env: EnvReader): string {
  return env.url('MONGODB_URL', ['mongodb', 'mongodb+srv']);
}
