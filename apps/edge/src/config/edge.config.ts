import { EnvReader, readCommon, type CommonConfig } from '@lib/config';
import { SERVICES, SERVICE_NAMES, type ServiceName } from '@lib/contracts';

export type UpstreamName = Exclude<ServiceName, 'edge'>;

export interface UpstreamConfig {
  url: string;
  timeoutMs: number;
}

export interface EdgeConfig extends CommonConfig {
  upstreams: Record<UpstreamName, UpstreamConfig>;
  breaker: { resetTimeoutMs: number; errorThresholdPercentage: number; volumeThreshold: number };
  /** Largest request body forwarded, in bytes. */
  bodyLimit: number;
  /** Media uploads (POST /api/v1/media-assets): their own, larger body limit and timeout. */
  upload: { bodyLimit: number; timeoutMs: number };
  corsOrigins: string[];
  /** Requests per minute (burst included) per client address and per signed-in user. */
  rateLimits: { perIpPerMinute: number; perUserPerMinute: number };
}

/** The only place the edge reads its environment. */
export function loadEdgeConfig(source: Record<string, string | undefined> = process.env): EdgeConfig {
  const env = new EnvReader(source);
  const defaultTimeout = env.int('UPSTREAM_TIMEOUT_MS', 10_000, { min: 10, max: 600_000 });
  const upstreams = Object.fromEntries(
    SERVICE_NAMES.filter((s): s is UpstreamName => s !== 'edge').map((s) => {
      const name = s.toUpperCase();
      return [
        s,
        {
          url: env.url(`${name}_URL`, ['http', 'https'], `http://127.0.0.1:${SERVICES[s].port}`),
          timeoutMs: env.int(`${name}_TIMEOUT_MS`, defaultTimeout, { min: 10, max: 600_000 }),
        },
      ];
    }),
  ) as Record<UpstreamName, UpstreamConfig>;
  return env.done({
    ...readCommon(env, 'edge', SERVICES.edge.port),
    upstreams,
    breaker: {
      resetTimeoutMs: env.int('BREAKER_RESET_MS', 10_000, { min: 100, max: 600_000 }),
      errorThresholdPercentage: env.int('BREAKER_ERROR_PERCENT', 50, { min: 1, max: 100 }),
      volumeThreshold: env.int('BREAKER_VOLUME_THRESHOLD', 5, { min: 1, max: 10_000 }),
    },
    bodyLimit: env.int('EDGE_BODY_LIMIT_BYTES', 10 * 1024 * 1024, { min: 1024, max: 5 * 1024 * 1024 * 1024 }),
    upload: {
      bodyLimit: env.int('EDGE_UPLOAD_LIMIT_BYTES', 1024 * 1024 * 1024, { min: 1024, max: 5 * 1024 * 1024 * 1024 }),
      // Once the last byte is in, publishing still stores the file (to S3, possibly): longer than a JSON call.
      timeoutMs: env.int('EDGE_UPLOAD_TIMEOUT_MS', 300_000, { min: 1000, max: 3_600_000 }),
    },
    corsOrigins: env.list('CORS_ORIGINS'),
    rateLimits: {
      perIpPerMinute: env.int('RATE_LIMIT_IP_PER_MINUTE', 600, { min: 1, max: 1_000_000 }),
      perUserPerMinute: env.int('RATE_LIMIT_USER_PER_MINUTE', 1200, { min: 1, max: 1_000_000 }),
    },
  });
}
