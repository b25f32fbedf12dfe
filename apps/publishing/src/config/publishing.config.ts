import { EnvReader, readCommon, readDatabaseUrl, readOutbox, type CommonConfig, type OutboxConfig } from '@lib/config';
import path from 'node:path';
import { PLANS, SERVICES } from '@lib/contracts';
import { parseTokenKeys, type TokenKey } from '../accounts/token-cipher';
import { MEDIA_MAX_UPLOAD_BYTES_DEFAULT, MEDIA_PLAN_LIMITS, parsePlanLimits, type MediaConfig } from '../media/media.config';
import { bundledFfmpegPath } from '../media/video-frame';
import { DEFAULT_RECURRENCE_CONFIG, type RecurrenceConfig } from '../recurrence/recurrence.config';
import { DEFAULT_BULK_CONFIG, type BulkConfig } from '../bulk/bulk.config';

export interface XNetworkConfig {
  apiBaseUrl: string;
  authorizeUrl: string;
  clientId: string;
  clientSecret?: string;
}

export interface FacebookNetworkConfig {
  graphBaseUrl: string;
  dialogBaseUrl: string;
  version: string;
  appId: string;
  appSecret: string;
}

export interface LinkedInNetworkConfig {
  apiBaseUrl: string;
  oauthBaseUrl: string;
  version: string;
  clientId: string;
  clientSecret: string;
}

/** One entry per network; null when its client id is not set (the network is not offered). */
export interface NetworksConfig {
  twitter: XNetworkConfig | null;
  facebook: FacebookNetworkConfig | null;
  linkedin: LinkedInNetworkConfig | null;
  /** Per-call timeout of every connector. */
  timeoutMs: number;
}

export interface TokenRefreshConfig {
  /** How often the background refresh looks for tokens about to expire. */
  intervalMs: number;
  /** Tokens expiring within this window are refreshed. */
  aheadMs: number;
}

export interface PublishingConfig extends CommonConfig {
  databaseUrl: string;
  outbox: OutboxConfig;
  /** Keys that encrypt network tokens at rest; the first is current, the rest still decrypt. */
  tokenKeys: { current: TokenKey; others: TokenKey[] };
  networks: NetworksConfig;
  /** The edge's public URL: OAuth redirect URIs are built on it. */
  publicBaseUrl: string;
  tokenRefresh: TokenRefreshConfig;
  /** Media library: storage backend, temp directory, upload limits. */
  media: MediaConfig;
  /** Recurring posts: how often and how far ahead occurrences are materialized. */
  recurrence: RecurrenceConfig;
  /** CSV import of posts: limits, batch size, lease of a running import. */
  bulk: BulkConfig;
  publisher: {
    pollMs: number;
    /** How long a claimed job belongs to a replica; a dead replica's jobs are reconciled after it. */
    leaseMs: number;
    reconcileMs: number;
    maxAttempts: number;
    perNetworkConcurrency: number;
    /** Liveness fails when the publisher has made no progress (no round, no send done) for this long. */
    stallMs: number;
    /** Rounds publishing at once per replica. */
    maxRounds: number;
  };
}

/** The only place publishing reads its environment. */
export function loadPublishingConfig(source: Record<string, string | undefined> = process.env): PublishingConfig {
  const env = new EnvReader(source);
  return env.done({
    ...readCommon(env, 'publishing', SERVICES.publishing.port),
    databaseUrl: readDatabaseUrl(env),
    outbox: readOutbox(env),
    tokenKeys: readTokenKeys(env),
    networks: readNetworks(env),
    publicBaseUrl: env.url('PUBLIC_BASE_URL', ['http', 'https'], 'http://localhost:3000').replace(/\/+$/, ''),
    publisher: {
      pollMs: env.int('PUBLISH_POLL_INTERVAL_MS', 500, { min: 10, max: 60_000 }),
      leaseMs: env.int('PUBLISH_LEASE_MS', 60_000, { min: 500, max: 3_600_000 }),
      reconcileMs: env.int('PUBLISH_RECONCILE_INTERVAL_MS', 10_000, { min: 100, max: 3_600_000 }),
      maxAttempts: env.int('PUBLISH_MAX_ATTEMPTS', 5, { min: 1, max: 50 }),
      perNetworkConcurrency: env.int('PUBLISH_CONCURRENCY_PER_NETWORK', 16, { min: 1, max: 1000 }),
      stallMs: env.int('PUBLISH_STALL_TIMEOUT_MS', 120_000, { min: 1000, max: 3_600_000 }),
      maxRounds: env.int('PUBLISH_MAX_ROUNDS', 4, { min: 1, max: 32 }),
    },
    tokenRefresh: {
      intervalMs: env.int('TOKEN_REFRESH_INTERVAL_MS', 60_000, { min: 100 }),
      aheadMs: env.int('TOKEN_REFRESH_AHEAD_MS', 15 * 60_000, { min: 0 }),
    },
    media: readMedia(env),
    recurrence: {
      pollMs: env.int('RECURRENCE_POLL_INTERVAL_MS', DEFAULT_RECURRENCE_CONFIG.pollMs, { min: 10, max: 3_600_000 }),
      horizonHours: env.int('RECURRENCE_HORIZON_HOURS', DEFAULT_RECURRENCE_CONFIG.horizonHours, { min: 1, max: 2 * 366 * 24 }),
      retryMs: env.int('RECURRENCE_RETRY_INTERVAL_MS', DEFAULT_RECURRENCE_CONFIG.retryMs, { min: 100, max: 86_400_000 }),
    },
    bulk: {
      maxBytes: env.int('BULK_IMPORT_MAX_BYTES', DEFAULT_BULK_CONFIG.maxBytes, { min: 1024, max: 100 * 1024 * 1024 }),
      maxRows: env.int('BULK_IMPORT_MAX_ROWS', DEFAULT_BULK_CONFIG.maxRows, { min: 1, max: 100_000 }),
      batchSize: env.int('BULK_IMPORT_BATCH_SIZE', DEFAULT_BULK_CONFIG.batchSize, { min: 1, max: 5_000 }),
      leaseMs: env.int('BULK_IMPORT_LEASE_MS', DEFAULT_BULK_CONFIG.leaseMs, { min: 1_000, max: 3_600_000 }),
      pollMs: env.int('BULK_IMPORT_POLL_INTERVAL_MS', DEFAULT_BULK_CONFIG.pollMs, { min: 10, max: 3_600_000 }),
      mediaFetchTimeoutMs: env.int('BULK_MEDIA_FETCH_TIMEOUT_MS', DEFAULT_BULK_CONFIG.mediaFetchTimeoutMs, { min: 100, max: 3_600_000 }),
      mediaFetchAllowPrivate: env.bool('BULK_MEDIA_FETCH_ALLOW_PRIVATE', DEFAULT_BULK_CONFIG.mediaFetchAllowPrivate),
    },
  });
}

function readMedia(env: EnvReader): MediaConfig {
  // Relative paths are taken from the working directory (the repository root under `npm start`).
  const dir = path.resolve(env.string('MEDIA_DIR', '.data/media'));
  const kind = env.oneOf('MEDIA_STORAGE', ['local', 's3'], 'local');
  const accessKeyId = env.optional('MEDIA_S3_ACCESS_KEY_ID');
  const secretAccessKey = env.optional('MEDIA_S3_SECRET_ACCESS_KEY');
  if (kind === 's3' && !!accessKeyId !== !!secretAccessKey) {
    // Half a key pair would silently fall back to the default chain: say so instead.
    env.parsed(accessKeyId ? 'MEDIA_S3_SECRET_ACCESS_KEY' : 'MEDIA_S3_ACCESS_KEY_ID', badFormat('set together with its pair'), '');
  }
  const endpoint = env.optional('MEDIA_S3_ENDPOINT') ? env.url('MEDIA_S3_ENDPOINT', ['http', 'https']) : null;
  const overrides = env.optional('MEDIA_PLAN_LIMIT_BYTES') ? env.parsed('MEDIA_PLAN_LIMIT_BYTES', (raw) => parsePlanLimits(raw, PLANS), {}) : {};
  const publicBaseUrl = env.optional('MEDIA_PUBLIC_BASE_URL') ? trim(env.url('MEDIA_PUBLIC_BASE_URL', ['http', 'https'])) : null;
  return {
    storage:
      kind === 's3'
        ? {
            kind: 's3',
            bucket: env.string('MEDIA_S3_BUCKET'),
            region: env.string('MEDIA_S3_REGION', 'us-east-1'),
            endpoint: endpoint ? trim(endpoint) : null,
            forcePathStyle: env.bool('MEDIA_S3_FORCE_PATH_STYLE', false),
            credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : null,
          }
        : { kind: 'local', dir },
    tmpDir: path.resolve(env.string('MEDIA_TMP_DIR', path.join(dir, '.uploads'))),
    maxUploadBytes: env.int('MEDIA_MAX_UPLOAD_BYTES', MEDIA_MAX_UPLOAD_BYTES_DEFAULT, { min: 1024, max: 5 * 1024 ** 4 }),
    planLimits: { ...MEDIA_PLAN_LIMITS, ...overrides },
    publicBaseUrl,
    ffmpegPath: env.optional('MEDIA_FFMPEG_PATH') ?? bundledFfmpegPath(),
  };
}

/** Only the token key file of the re-encryption command: it needs no Kafka nor JWT settings. */
export function loadReencryptConfig(source: Record<string, string | undefined> = process.env): { databaseUrl: string; tokenKeys: { current: TokenKey; others: TokenKey[] } } {
  const env = new EnvReader(source);
  return env.done({ databaseUrl: readDatabaseUrl(env), tokenKeys: readTokenKeys(env) });
}

function readTokenKeys(env: EnvReader): { current: TokenKey; others: TokenKey[] } {
  return env.parsed('TOKEN_ENCRYPTION_KEYS', parseTokenKeys, { current: { id: 'unset', key: Buffer.alloc(32) }, others: [] });
}

const YYYYMM = /^\d{4}(0[1-9]|1[0-2])$/;

function readNetworks(env: EnvReader): NetworksConfig {
  const http = ['http', 'https'];
  const xId = env.optional('X_CLIENT_ID');
  const twitter: XNetworkConfig = {
    apiBaseUrl: trim(env.url('X_API_BASE_URL', http, 'https://api.x.com')),
    authorizeUrl: env.url('X_AUTHORIZE_URL', http, 'https://x.com/i/oauth2/authorize'),
    clientId: xId ?? '',
    clientSecret: env.optional('X_CLIENT_SECRET'),
  };
  const fbId = env.optional('FACEBOOK_APP_ID');
  const facebook: FacebookNetworkConfig = {
    graphBaseUrl: trim(env.url('FACEBOOK_GRAPH_BASE_URL', http, 'https://graph.facebook.com')),
    dialogBaseUrl: trim(env.url('FACEBOOK_DIALOG_BASE_URL', http, 'https://www.facebook.com')),
    version: env.string('FACEBOOK_API_VERSION', 'v21.0'),
    appId: fbId ?? '',
    // A Facebook app cannot exchange a code without its secret: required once the app id is set.
    appSecret: fbId ? env.string('FACEBOOK_APP_SECRET') : '',
  };
  if (!/^v\d+\.\d+$/.test(facebook.version)) facebook.version = env.parsed('FACEBOOK_API_VERSION', badFormat('vNN.N'), 'v21.0');
  const liId = env.optional('LINKEDIN_CLIENT_ID');
  const linkedin: LinkedInNetworkConfig = {
    apiBaseUrl: trim(env.url('LINKEDIN_API_BASE_URL', http, 'https://api.linkedin.com')),
    oauthBaseUrl: trim(env.url('LINKEDIN_OAUTH_BASE_URL', http, 'https://www.linkedin.com')),
    version: env.string('LINKEDIN_VERSION', defaultLinkedInVersion()),
    clientId: liId ?? '',
    clientSecret: liId ? env.string('LINKEDIN_CLIENT_SECRET') : '',
  };
  if (!YYYYMM.test(linkedin.version)) linkedin.version = env.parsed('LINKEDIN_VERSION', badFormat('YYYYMM'), '');
  return {
    twitter: xId ? twitter : null,
    facebook: fbId ? facebook : null,
    linkedin: liId ? linkedin : null,
    timeoutMs: env.int('CONNECTOR_TIMEOUT_MS', 10_000, { min: 100, max: 120_000 }),
  };
}

function trim(url: string): string {
  return url.replace(/\/+$/, '');
}

function badFormat(expected: string): (raw: string) => never {
  return () => {
    throw new Error(`must look like ${expected}`);
  };
}

/**
 * LinkedIn retires a version about a year after release (426): by default we ask for the one
 * from two months ago, which is always released and active.
 */
function defaultLinkedInVersion(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1));
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}
