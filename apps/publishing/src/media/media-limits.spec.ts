import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ConfigError } from '@lib/config';
import { strictMock } from '@lib/testing';
import { loadPublishingConfig } from '../config/publishing.config';
import type { WorkspaceDirectory, WorkspaceProfile } from '../workspaces/workspace-directory';
import { MediaLimits, formatBytes } from './media-limits';
import { MEDIA_PLAN_LIMITS, type MediaConfig } from './media.config';
import { bundledFfmpegPath } from './video-frame';

const MiB = 1024 * 1024;
const WS = '0193f0a0-0000-7000-8000-000000000001';

function limits(profile: Partial<WorkspaceProfile> | null, config: Partial<MediaConfig> = {}) {
  const directory = strictMock<WorkspaceDirectory>({ profile: jest.fn().mockResolvedValue(profile && { workspaceId: WS, timeZone: 'UTC', ...profile }) }, 'workspaces');
  return new MediaLimits(directory, { maxUploadBytes: 1024 * MiB, planLimits: MEDIA_PLAN_LIMITS, ...config } as MediaConfig);
}

describe('MediaLimits', () => {
  it.each([
    ['FREE', 25 * MiB],
    ['STARTER', 100 * MiB],
    ['PROFESSIONAL', 500 * MiB],
    ['ENTERPRISE', 1024 * MiB],
  ] as const)('%s: %d bytes', async (plan, bytes) => {
    expect(await limits({ plan }).forWorkspace(WS)).toEqual({ bytes, plan });
  });

  it('uses the absolute cap for a workspace it has not heard of, and never goes above it', async () => {
    expect(await limits(null, { maxUploadBytes: 300 * MiB }).forWorkspace(WS)).toEqual({ bytes: 300 * MiB, plan: null });
    expect(await limits({ plan: 'PROFESSIONAL' }, { maxUploadBytes: 300 * MiB }).forWorkspace(WS)).toEqual({ bytes: 300 * MiB, plan: 'PROFESSIONAL' });
  });

  it('formats limits for people', () => {
    expect([formatBytes(25 * MiB), formatBytes(1024 * MiB), formatBytes(512), formatBytes(200_000)]).toEqual(['25 MiB', '1 GiB', '512 bytes', '195.3 KiB']);
  });
});

describe('publishing config: media', () => {
  const base = {
    KAFKA_BROKERS: 'localhost:9092',
    JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
    DATABASE_URL: 'postgres://u:p@localhost:5432/publishing',
    TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
  };
  const problems = (env: Record<string, string>): string[] => {
    try {
      loadPublishingConfig({ ...base, ...env });
      return [];
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  };

  it('stores on local disk under .data/media by default, with the plan table and a 1 GiB cap', () => {
    const { media } = loadPublishingConfig(base);
    expect(media).toEqual({
      storage: { kind: 'local', dir: path.resolve('.data/media') },
      tmpDir: path.resolve('.data/media/.uploads'),
      maxUploadBytes: 1024 * MiB,
      planLimits: MEDIA_PLAN_LIMITS,
      publicBaseUrl: null,
      // The static build that ships in the npm package for this platform.
      ffmpegPath: bundledFfmpegPath(),
    });
    expect(media.ffmpegPath).toMatch(/@ffmpeg-installer\/[a-z0-9-]+\/ffmpeg(\.exe)?$/);
    expect(loadPublishingConfig({ ...base, MEDIA_FFMPEG_PATH: '/usr/bin/ffmpeg' }).media.ffmpegPath).toBe('/usr/bin/ffmpeg');
  });

  it('reads S3 settings, plan overrides and a public base URL', () => {
    const { media } = loadPublishingConfig({
      ...base,
      MEDIA_STORAGE: 's3',
      MEDIA_S3_BUCKET: 'media',
      MEDIA_S3_REGION: 'eu-west-1',
      MEDIA_S3_ENDPOINT: 'https://s3.example.com/',
      MEDIA_S3_FORCE_PATH_STYLE: 'true',
      MEDIA_S3_ACCESS_KEY_ID: 'id',
      MEDIA_S3_SECRET_ACCESS_KEY: 'secret',
      MEDIA_PLAN_LIMIT_BYTES: 'FREE=1048576, STARTER=2097152',
      MEDIA_TMP_DIR: '/var/tmp/uploads',
      MEDIA_PUBLIC_BASE_URL: 'https://cdn.example.com/media/',
    });
    expect(media.storage).toEqual({ kind: 's3', bucket: 'media', region: 'eu-west-1', endpoint: 'https://s3.example.com', forcePathStyle: true, credentials: { accessKeyId: 'id', secretAccessKey: 'secret' } });
    expect(media.planLimits).toEqual({ ...MEDIA_PLAN_LIMITS, FREE: MiB, STARTER: 2 * MiB });
    expect(media.tmpDir).toBe('/var/tmp/uploads');
    expect(media.publicBaseUrl).toBe('https://cdn.example.com/media');
    // Without keys the SDK's default chain (IAM role, env, profile) is used.
    expect(loadPublishingConfig({ ...base, MEDIA_STORAGE: 's3', MEDIA_S3_BUCKET: 'media' }).media.storage).toMatchObject({ region: 'us-east-1', credentials: null, endpoint: null });
  });

  it('names every bad media variable, without echoing secrets', () => {
    const found = problems({
      MEDIA_STORAGE: 's3',
      MEDIA_S3_SECRET_ACCESS_KEY: 'TOP-SECRET-VALUE',
      MEDIA_MAX_UPLOAD_BYTES: '12',
      MEDIA_PLAN_LIMIT_BYTES: 'GOLD=5',
      MEDIA_S3_ENDPOINT: 'ftp://x',
    });
    expect(found).toEqual([
      'MEDIA_S3_ACCESS_KEY_ID is required',
      "MEDIA_S3_ENDPOINT must be a http:// or https:// URL (got 'ftp://x/')",
      'MEDIA_PLAN_LIMIT_BYTES is invalid: expected PLAN=bytes[,PLAN=bytes] with PLAN one of FREE, STARTER, PROFESSIONAL, ENTERPRISE',
      'MEDIA_S3_BUCKET is required',
      expect.stringMatching(/^MEDIA_MAX_UPLOAD_BYTES must be an integer between 1024 and/),
    ]);
    expect(found.join('\n')).not.toContain('TOP-SECRET-VALUE');
    expect(problems({ MEDIA_STORAGE: 'ftp' })).toEqual(['MEDIA_STORAGE must be one of local, s3 (got \'ftp\')']);
  });
});
