import { LinkedInConnector, type AccountCredentials } from '@lib/connectors';
import { startEmulator, type RunningEmulator, type SeededAccount } from '../../../tools/emulators/src';
import { approve, expectConnectorError, NO_TRIP } from './helpers';

/** A version LinkedIn currently serves: last month, YYYYMM. */
function currentVersion(): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

describe('LinkedInConnector against the LinkedIn emulator', () => {
  let emu: RunningEmulator;
  let li: LinkedInConnector;
  let seeded: SeededAccount;
  let member: AccountCredentials;
  const config = () => ({ apiBaseUrl: emu.url, oauthBaseUrl: emu.url, version: currentVersion(), clientId: 'li-client', clientSecret: 'li-secret', timeoutMs: 1_500, breaker: NO_TRIP });

  beforeAll(async () => {
    emu = await startEmulator('linkedin');
    li = new LinkedInConnector(config());
  });
  afterAll(async () => {
    await li.close();
    await emu.stop();
  });
  beforeEach(() => {
    emu.control.reset();
    seeded = emu.control.seedAccount();
    member = { accountId: seeded.accountId, accessToken: seeded.accessToken };
  });

  const mine = () => emu.control.posts().filter((p) => p.accountId === seeded.accountId);

  it('connects: authorization with state → code → tokens → userinfo (member URN as account id)', async () => {
    const url = new URL(li.authorizationUrl({ state: 'li-state', redirectUri: 'http://localhost/li/cb' }));
    expect(url.searchParams.get('scope')).toBe('openid profile email w_member_social');
    const back = await approve(url.toString());
    expect(back.get('state')).toBe('li-state');
    const tokens = await li.exchangeCode({ code: back.get('code') ?? '', redirectUri: 'http://localhost/li/cb' });
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 59 * 24 * 3600_000);
    const profile = await li.fetchProfile(tokens.accessToken);
    expect(profile.id).toMatch(/^urn:li:person:/);
    const post = await li.publish({ accountId: profile.id, accessToken: tokens.accessToken }, { text: 'Hello LinkedIn' });
    expect(post.externalId).toMatch(/^urn:li:share:\d+$/);
  });

  it('publishes with the version headers and reads the id from x-restli-id; reserved characters are escaped', async () => {
    const post = await li.publish(member, { text: 'Q3 results (final) #growth' });
    expect(mine()).toEqual([expect.objectContaining({ id: post.externalId, text: 'Q3 results \\(final\\) \\#growth' })]);
  });

  it('uploads images (initializeUpload + PUT) and publishes a multi-image post', async () => {
    const a = await li.uploadMedia(member, { kind: 'image', mimeType: 'image/png', bytes: Buffer.alloc(2_000, 1) });
    const b = await li.uploadMedia(member, { kind: 'image', mimeType: 'image/png', bytes: Buffer.alloc(3_000, 2) });
    expect(a.id).toMatch(/^urn:li:image:/);
    const post = await li.publish(member, { text: 'two images', media: [a, b] });
    expect(mine().find((p) => p.id === post.externalId)?.media).toEqual([a.id, b.id]);
  });

  it('refreshes without rotation (same refresh token back) and revokes', async () => {
    const refreshed = await li.refreshToken(seeded.refreshToken ?? '');
    expect(refreshed.refreshToken).toBe(seeded.refreshToken);
    expect(refreshed.accessToken).not.toBe(seeded.accessToken);
    await li.revoke(refreshed.accessToken);
    const err = await expectConnectorError(() => li.fetchProfile(refreshed.accessToken), 'auth');
    expect(err.info.networkCode).toBe('REVOKED_ACCESS_TOKEN');
  });

  it('comments on a post, reads comments and social-action metrics', async () => {
    const post = await li.publish(member, { text: 'thoughts?' });
    const reply = await li.reply(member, post.externalId, 'agreed');
    expect(reply.externalId).toMatch(/^urn:li:comment:/);
    expect((await li.fetchComments(member, post.externalId)).map((c) => [c.externalId, c.text])).toEqual([[reply.externalId, 'agreed']]);
    expect((await li.fetchPostMetrics(member, post.externalId)).values).toEqual({ likes: 0, comments: 1 });
  });

  it('classifies an expired token as auth', async () => {
    emu.control.expireTokens();
    const err = await expectConnectorError(() => li.publish(member, { text: 'late' }), 'auth');
    expect(err.message).toContain('The token used in the request has expired');
    expect(err.message).not.toContain(member.accessToken);
  });

  it('classifies 429 as rate_limited with the reset time from Retry-After', async () => {
    emu.control.rateLimit(Date.now() + 120_000);
    const before = Date.now();
    const err = await expectConnectorError(() => li.publish(member, { text: 'too many' }), 'rate_limited');
    expect(err.info.resetAt!.getTime()).toBeGreaterThanOrEqual(before + 119_000);
    expect(err.info.resetAt!.getTime()).toBeLessThanOrEqual(Date.now() + 121_000);
    expect(li.rateLimitState(member.accountId)).toMatchObject({ remaining: 0 });
  });

  it('classifies 500 as transient', async () => {
    emu.control.failNext(1, 'server_error');
    await expectConnectorError(() => li.publish(member, { text: 'boom' }), 'transient');
    expect(mine()).toHaveLength(0);
  });

  it('a retired Linkedin-Version answers 426, classified as misconfigured with LinkedIn\'s reason', async () => {
    const old = new LinkedInConnector({ ...config(), version: '202001' });
    try {
      const err = await expectConnectorError(() => old.publish(member, { text: 'old version' }), 'misconfigured');
      expect(err.info.httpStatus).toBe(426);
      expect(err.message).toContain('Requested version 202001 is not active');
      expect(err.retryable).toBe(false);
      expect(mine()).toHaveLength(0);
    } finally {
      await old.close();
    }
  });

  it('a call without the version header is refused (VERSION_MISSING), which the classifier reports as misconfigured', async () => {
    const res = await fetch(`${emu.url}/rest/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${member.accessToken}`, 'content-type': 'application/json', 'x-restli-protocol-version': '2.0.0' },
      body: JSON.stringify({ author: member.accountId, commentary: 'no version', lifecycleState: 'PUBLISHED' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VERSION_MISSING' });
    expect(mine()).toHaveLength(0);
  });

  it('after a timeout on create: unknown_outcome, then findRecentByMarker finds the accepted post', async () => {
    const since = new Date();
    await li.publish(member, { text: 'earlier (unrelated)' });
    emu.control.acceptThenTimeout(1);
    await expectConnectorError(() => li.publish(member, { text: 'We are hiring! (Berlin)' }), 'unknown_outcome');
    expect(mine()).toHaveLength(2);
    const found = await li.findRecentByMarker(member, { text: 'We are hiring! (Berlin)' }, since);
    expect(found?.externalId).toBe(mine()[1].id);
    expect(await li.findRecentByMarker(member, { text: 'We are hiring! (Berlin)' }, new Date(Date.now() + 60_000))).toBeNull();
    expect(mine()).toHaveLength(2);
  });
});
