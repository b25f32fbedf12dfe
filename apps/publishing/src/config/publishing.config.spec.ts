import { randomBytes } from 'node:crypto';
import { ConfigError } from '@lib/config';
import { loadPublishingConfig } from './publishing.config';

const base = {
  KAFKA_BROKERS: 'localhost:9092',
  JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----',
  DATABASE_URL: 'postgres://u:p@localhost:5432/publishing',
  TOKEN_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
};

function problems(env: Record<string, string>): string[] {
  try {
    loadPublishingConfig({ ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('publishing config: networks', () => {
  it('offers no network until its client id is set, with the real base URLs by default', () => {
    const c = loadPublishingConfig(base);
    expect(c.networks).toMatchObject({ twitter: null, facebook: null, linkedin: null, timeoutMs: 10_000 });
    expect(c.publicBaseUrl).toBe('http://localhost:3000');
    const x = loadPublishingConfig({ ...base, X_CLIENT_ID: 'cid', PUBLIC_BASE_URL: 'https://app.example.com/' });
    expect(x.networks.twitter).toEqual({ apiBaseUrl: 'https://api.x.com', authorizeUrl: 'https://x.com/i/oauth2/authorize', clientId: 'cid', clientSecret: undefined });
    expect(x.publicBaseUrl).toBe('https://app.example.com');
  });

  it('needs the secret once a Facebook or LinkedIn id is set, and names bad versions', () => {
    expect(problems({ FACEBOOK_APP_ID: 'app', LINKEDIN_CLIENT_ID: 'li' })).toEqual(['FACEBOOK_APP_SECRET is required', 'LINKEDIN_CLIENT_SECRET is required']);
    expect(problems({ LINKEDIN_VERSION: '2025-01', FACEBOOK_API_VERSION: '21' })).toEqual([
      'FACEBOOK_API_VERSION is invalid: must look like vNN.N',
      'LINKEDIN_VERSION is invalid: must look like YYYYMM',
    ]);
    const c = loadPublishingConfig({ ...base, LINKEDIN_CLIENT_ID: 'li', LINKEDIN_CLIENT_SECRET: 's' });
    expect(c.networks.linkedin?.version).toMatch(/^\d{6}$/);
  });

  it('reads the refresh schedule', () => {
    expect(loadPublishingConfig({ ...base, TOKEN_REFRESH_INTERVAL_MS: '500', TOKEN_REFRESH_AHEAD_MS: '1000' }).tokenRefresh).toEqual({ intervalMs: 500, aheadMs: 1000 });
    expect(problems({ TOKEN_REFRESH_INTERVAL_MS: 'soon' })).toEqual([expect.stringContaining('TOKEN_REFRESH_INTERVAL_MS')]);
  });
});
