import type { Plan } from '@lib/contracts';

const MiB = 1024 * 1024;

/**
 * Largest file per upload, by plan. Operators can override rows with MEDIA_PLAN_LIMIT_BYTES;
 * MEDIA_MAX_UPLOAD_BYTES caps every plan.
 *
 * | plan         | largest file |
 * |--------------|--------------|
 * | FREE         | 25 MiB       |
 * | STARTER      | 100 MiB      |
 * | PROFESSIONAL | 500 MiB      |
 * | ENTERPRISE   | 1 GiB        |
 */
export const MEDIA_PLAN_LIMITS: Record<Plan, number> = {
  FREE: 25 * MiB,
  STARTER: 100 * MiB,
  PROFESSIONAL: 500 * MiB,
  ENTERPRISE: 1024 * MiB,
};

export const MEDIA_MAX_UPLOAD_BYTES_DEFAULT = 1024 * MiB;

export interface LocalStorageConfig {
  kind: 'local';
  /** Absolute directory the originals and thumbnails live in. */
  dir: string;
}

export interface S3StorageConfig {
  kind: 's3';
  bucket: string;
  region: string;
  /** S3-compatible endpoint (MinIO, R2, ...); the AWS endpoint for the region when unset. */
  endpoint: string | null;
  forcePathStyle: boolean;
  /** Static credentials; the SDK's default chain (env, profile, IRSA, instance role) when null. */
  credentials: { accessKeyId: string; secretAccessKey: string } | null;
}

export interface MediaConfig {
  storage: LocalStorageConfig | S3StorageConfig;
  /** Where uploads are streamed before they are checked; needs room for the largest upload. */
  tmpDir: string;
  /** Absolute cap on one file, whatever the plan (also the multipart parser's own limit). */
  maxUploadBytes: number;
  planLimits: Record<Plan, number>;
  /** When set, `url`/`thumbnailUrl` point there (`<base>/<storage key>`, e.g. a CDN); else at the API. */
  publicBaseUrl: string | null;
  /** The ffmpeg that decodes video thumbnails (the bundled static build by default); none: no video thumbnails. */
  ffmpegPath: string | null;
}

export const MEDIA_CONFIG = Symbol('MEDIA_CONFIG');

/** `FREE=1048576,STARTER=2097152`: rows of the plan table to override. */
export function parsePlanLimits(raw: string, plans: readonly Plan[]): Partial<Record<Plan, number>> {
  const out: Partial<Record<Plan, number>> = {};
  for (const item of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Z]+)=(\d+)$/.exec(item);
    if (!m || !(plans as readonly string[]).includes(m[1])) throw new Error(`expected PLAN=bytes[,PLAN=bytes] with PLAN one of ${plans.join(', ')}`);
    const bytes = Number(m[2]);
    if (!Number.isSafeInteger(bytes) || bytes < 1) throw new Error(`${m[1]} must be a positive number of bytes`);
    out[m[1] as Plan] = bytes;
  }
  return out;
}
