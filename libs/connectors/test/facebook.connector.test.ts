import { FacebookConnector, type AccountCredentials } from '@lib/connectors';
import { startEmulator, type RunningEmulator, type SeededAccount } from '../../../tools/emulators/src';
import { approve, expectConnectorError, NO_TRIP } from './helpers';

describe('FacebookConnector against the Graph API emulator', () => {
  let emu: RunningEmulator;
  let fb: FacebookConnector;
  let seeded: SeededAccount;
  let page: AccountCredentials;

  beforeAll(async () => {
    emu = await startEmulator('facebook');
    fb = new FacebookConnector({ graphBaseUrl: emu.url, dialogBaseUrl: emu.url, version: 'v21.0', appId: 'app-1', appSecret: 'app-secret-1', timeoutMs: 1_500, breaker: NO_TRIP });
  });
  afterAll(async () => {
    await fb.close();
    await emu.stop();
  });
  beforeEach(() => {
    emu.control.reset();
    seeded = emu.control.seedAccount();
    page = { accountId: seeded.accountId, accessToken: seeded.accessToken };
  });

  const mine = () => emu.control.posts().filter((p) => p.accountId === seeded.accountId);

  it('connects: dialog with state → code → long-lived user token (fb_exchange_token) → profile → page tokens', async () => {
    const url = new URL(fb.authorizationUrl({ state: 'csrf-1', redirectUri: 'http://localhost/fb/cb' }));
    expect(url.pathname).toBe('/v21.0/dialog/oauth');
    expect(url.searchParams.get('scope')).toContain('pages_manage_posts');
    const back = await approve(url.toString());
    expect(back.get('state')).toBe('csrf-1');

    const user = await fb.exchangeCode({ code: back.get('code') ?? '', redirectUri: 'http://localhost/fb/cb' });
    expect(user.refreshToken).toBeUndefined();
    expect(user.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 50 * 24 * 3600_000); // long-lived, not the 2 h one
    expect(emu.control.calls().filter((c) => c.path === '/v21.0/oauth/access_token')).toHaveLength(2);

    const profile = await fb.fetchProfile(user.accessToken);
    const pages = await fb.listPages(user.accessToken);
    expect(profile.id).toBeTruthy();
    expect(pages).toHaveLength(1);
    const post = await fb.publish({ accountId: pages[0].id, accessToken: pages[0].accessToken }, { text: 'first post from a fresh connection' });
    expect(post.externalId.startsWith(`${pages[0].id}_`)).toBe(true);
  });

  it('refuses a code sent back with another redirect URI', async () => {
    const back = await approve(fb.authorizationUrl({ state: 's', redirectUri: 'http://localhost/a' }));
    const err = await expectConnectorError(() => fb.exchangeCode({ code: back.get('code') ?? '', redirectUri: 'http://localhost/b' }), 'misconfigured');
    expect(err.message).toMatch(/redirect_uri/);
    expect(err.message).not.toContain('app-secret-1');
  });

  it('publishes text, and photos uploaded unpublished from public URLs as one post', async () => {
    await fb.publish(page, { text: 'plain text' });
    const a = await fb.uploadMedia(page, { kind: 'image', mimeType: 'image/jpeg', url: 'https://cdn.example.test/a.jpg' });
    const b = await fb.uploadMedia(page, { kind: 'image', mimeType: 'image/jpeg', url: 'https://cdn.example.test/b.jpg' });
    const post = await fb.publish(page, { text: 'two photos', media: [a, b] });
    expect(mine().map((p) => ({ text: p.text, media: p.media.length }))).toEqual([
      { text: 'plain text', media: 0 },
      { text: 'two photos', media: 2 },
    ]);
    expect(mine()[1].id).toBe(post.externalId);
    await expectConnectorError(() => fb.uploadMedia(page, { kind: 'image', mimeType: 'image/jpeg', bytes: Buffer.from('x') }), 'invalid_content');
    expect(fb.rateLimitState(page.accountId)?.usagePercent).toBe(1);
  });

  it('classifies an expired token (code 190/463) as auth', async () => {
    emu.control.expireTokens();
    const err = await expectConnectorError(() => fb.publish(page, { text: 'late' }), 'auth');
    expect(err.info).toMatchObject({ networkCode: 190, networkSubcode: 463 });
    expect(err.message).toContain('Session has expired');
    expect(err.message).not.toContain(page.accessToken);
    expect(err.info.traceId).toBeTruthy();
  });

  it('revokes the user token: every page token derived from it stops working', async () => {
    await fb.revoke(seeded.userAccessToken ?? '');
    await expectConnectorError(() => fb.publish(page, { text: 'after revoke' }), 'auth');
  });

  it.each([
    [4, 'app'],
    [17, 'account'],
    [32, 'account'],
    [613, 'account'],
  ])('classifies throttle code %i as rate_limited (%s scope)', async (code, scope) => {
    emu.control.failNext(1, 'rate_limited', { code, resetInMs: 10 * 60_000 });
    const before = Date.now();
    const err = await expectConnectorError(() => fb.publish(page, { text: `throttled ${code}` }), 'rate_limited');
    expect(err.info.networkCode).toBe(code);
    expect(err.info.scope).toBe(scope);
    const reset = err.info.resetAt!.getTime();
    if (code === 32 || code === 613) {
      // estimated_time_to_regain_access (minutes) in x-business-use-case-usage
      expect(reset).toBeGreaterThanOrEqual(before + 10 * 60_000 - 1_000);
      expect(reset).toBeLessThanOrEqual(Date.now() + 10 * 60_000 + 1_000);
    } else {
      // x-app-usage at 100% says nothing about when: the table's default back-off
      expect(reset).toBeGreaterThanOrEqual(before + 60 * 60_000 - 1_000);
    }
    expect(mine()).toHaveLength(0);
  });

  it('classifies a Graph 500 (code 2, is_transient) as transient', async () => {
    emu.control.failNext(1, 'server_error');
    const err = await expectConnectorError(() => fb.publish(page, { text: 'oops' }), 'transient');
    expect(err.message).toContain('unexpected error');
  });

  it('after a timeout on create: unknown_outcome, then findRecentByMarker finds the accepted post', async () => {
    const since = new Date(Date.now() - 2_000); // Graph `since` has second precision
    emu.control.acceptThenTimeout(1);
    await expectConnectorError(() => fb.publish(page, { text: 'sale starts now' }), 'unknown_outcome');
    expect(mine()).toHaveLength(1);
    const found = await fb.findRecentByMarker(page, { text: 'sale starts now' }, since);
    expect(found?.externalId).toBe(mine()[0].id);
    expect(await fb.findRecentByMarker(page, { text: 'sale starts later' }, since)).toBeNull();
    expect(mine()).toHaveLength(1);
  });

  it('replies to a post, reads its comments and metrics', async () => {
    const post = await fb.publish(page, { text: 'questions welcome' });
    const reply = await fb.reply(page, post.externalId, 'thanks!');
    expect((await fb.fetchComments(page, post.externalId)).map((c) => c.externalId)).toEqual([reply.externalId]);
    expect((await fb.fetchPostMetrics(page, post.externalId)).values).toMatchObject({ comments: 1, reactions: 0, shares: 0 });
  });
});
