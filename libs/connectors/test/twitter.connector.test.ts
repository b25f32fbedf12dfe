import { createPkcePair, TwitterConnector, type AccountCredentials } from '@lib/connectors';
import { startEmulator, type RunningEmulator, type SeededAccount } from '../../../tools/emulators/src';
import { approve, expectConnectorError, NO_TRIP } from './helpers';

describe('TwitterConnector against the X emulator', () => {
  let emu: RunningEmulator;
  let x: TwitterConnector;
  let seeded: SeededAccount;
  let account: AccountCredentials;

  beforeAll(async () => {
    emu = await startEmulator('twitter');
    x = new TwitterConnector({ apiBaseUrl: emu.url, authorizeUrl: `${emu.url}/i/oauth2/authorize`, clientId: 'client-1', clientSecret: 'secret-1', timeoutMs: 1_500, breaker: NO_TRIP, mediaPollMaxMs: 10 });
  });
  afterAll(async () => {
    await x.close();
    await emu.stop();
  });
  beforeEach(() => {
    emu.control.reset();
    seeded = emu.control.seedAccount();
    account = { accountId: seeded.accountId, accessToken: seeded.accessToken };
  });

  it('connects with OAuth 2.0 + PKCE: authorize URL with state and challenge, code exchange, profile', async () => {
    const { codeVerifier, codeChallenge } = createPkcePair();
    const url = new URL(x.authorizationUrl({ state: 'st-123', redirectUri: 'http://localhost/cb', codeChallenge }));
    expect(url.searchParams.get('code_challenge')).toBe(codeChallenge);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toContain('offline.access');
    const back = await approve(url.toString());
    expect(back.get('state')).toBe('st-123');

    const tokens = await x.exchangeCode({ code: back.get('code') ?? '', redirectUri: 'http://localhost/cb', codeVerifier });
    expect(tokens.refreshToken).toBeTruthy();
    expect(tokens.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 7_000_000);
    const profile = await x.fetchProfile(tokens.accessToken);
    expect(profile.id).toMatch(/^\d+$/);
    expect(profile.username).toBeTruthy();
  });

  it('refuses a code exchanged with the wrong PKCE verifier', async () => {
    const { codeChallenge } = createPkcePair();
    const back = await approve(x.authorizationUrl({ state: 's', redirectUri: 'http://localhost/cb', codeChallenge }));
    const err = await expectConnectorError(() => x.exchangeCode({ code: back.get('code') ?? '', redirectUri: 'http://localhost/cb', codeVerifier: createPkcePair().codeVerifier }), 'auth');
    expect(err.message).toMatch(/code verifier/);
    expect(() => x.authorizationUrl({ state: 's', redirectUri: 'http://localhost/cb' })).toThrow(/PKCE/);
  });

  it('publishes text and reports the account rate-limit window', async () => {
    const post = await x.publish(account, { text: 'hello from the scheduler' });
    expect(emu.control.posts()).toEqual([expect.objectContaining({ id: post.externalId, accountId: seeded.accountId, text: 'hello from the scheduler' })]);
    const state = x.rateLimitState(seeded.accountId);
    expect(state).toMatchObject({ limit: 100, remaining: 99 });
    expect(state?.resetAt?.getTime()).toBeGreaterThan(Date.now());
  });

  it('uploads an image in chunks (INIT/APPEND/FINALIZE) and a video (STATUS polling), then publishes with media', async () => {
    const image = await x.uploadMedia(account, { kind: 'image', mimeType: 'image/png', bytes: Buffer.alloc(2_500_000, 7) });
    const video = await x.uploadMedia(account, { kind: 'video', mimeType: 'video/mp4', bytes: Buffer.alloc(100_000, 1) });
    const appends = emu.control.calls().filter((c) => c.path === '/2/media/upload' && c.method === 'POST').length;
    expect(appends).toBe(1 + 3 + 1 + 1 + 1 + 1); // image INIT, 3 APPENDs, FINALIZE; video INIT, APPEND, FINALIZE
    expect(emu.control.calls().some((c) => c.method === 'GET' && c.path === '/2/media/upload')).toBe(true);

    const since = new Date();
    const post = await x.publish(account, { text: 'with a picture https://example.com/pic', media: [image] });
    expect(emu.control.posts().find((p) => p.id === post.externalId)?.media).toEqual([image.id]);
    // X returns the text with t.co links and a trailing media link; the marker still matches.
    expect((await x.findRecentByMarker(account, { text: 'with a picture https://example.com/pic', mediaCount: 1 }, since))?.externalId).toBe(post.externalId);
    const err = await expectConnectorError(() => x.publish(account, { text: 'mixed', media: [{ id: '999', kind: 'image' }] }), 'invalid_content');
    expect(err.message).toMatch(/media IDs are invalid/);
    expect(video.id).toBeTruthy();
  });

  it('rotates refresh tokens: the new one works, the old one is rejected as auth', async () => {
    const first = await x.refreshToken(seeded.refreshToken ?? '');
    expect(first.refreshToken).toBeTruthy();
    expect(first.refreshToken).not.toBe(seeded.refreshToken);
    const err = await expectConnectorError(() => x.refreshToken(seeded.refreshToken ?? ''), 'auth');
    expect(err.message).not.toContain(seeded.refreshToken ?? '');
    const second = await x.refreshToken(first.refreshToken ?? '');
    expect((await x.fetchProfile(second.accessToken)).id).toBe(seeded.accountId);
  });

  it('classifies an expired token as auth, without the token in the message', async () => {
    emu.control.expireTokens();
    const err = await expectConnectorError(() => x.publish(account, { text: 'after expiry' }), 'auth');
    expect(err.message).toContain('Unauthorized');
    expect(err.message).not.toContain(account.accessToken);
    expect(err.info.httpStatus).toBe(401);
    expect(emu.control.posts().filter((p) => p.accountId === seeded.accountId)).toHaveLength(0);
  });

  it('revokes a token', async () => {
    await x.revoke(seeded.accessToken);
    await expectConnectorError(() => x.fetchProfile(seeded.accessToken), 'auth');
  });

  it('classifies 429 as rate_limited with the reset time from x-rate-limit-reset', async () => {
    const until = Date.now() + 90_000;
    emu.control.rateLimit(until);
    const err = await expectConnectorError(() => x.publish(account, { text: 'throttled' }), 'rate_limited');
    expect(err.info.resetAt?.getTime()).toBe(Math.ceil(until / 1000) * 1000);
    expect(err.retryable).toBe(true);
    emu.control.rateLimit(0);
  });

  it('classifies 5xx and a dropped connection on a read as transient', async () => {
    emu.control.failNext(1, 'server_error');
    const err = await expectConnectorError(() => x.publish(account, { text: 'five hundred' }), 'transient');
    expect(err.message).toContain('Service Unavailable');
    emu.control.failNext(1, 'reset');
    await expectConnectorError(() => x.fetchProfile(account.accessToken), 'transient');
    expect(emu.control.posts().filter((p) => p.accountId === seeded.accountId)).toHaveLength(0);
  });

  it('after a timeout on create: unknown_outcome, then findRecentByMarker finds the accepted post and nothing is created twice', async () => {
    const since = new Date(Date.now() - 1_000);
    await x.publish(account, { text: 'an older post' });
    emu.control.acceptThenTimeout(1);
    const text = 'launch day! https://example.com/launch';
    const err = await expectConnectorError(() => x.publish(account, { text }), 'unknown_outcome');
    expect(err.retryable).toBe(false);
    expect(emu.control.posts().filter((p) => p.text === text)).toHaveLength(1);

    const found = await x.findRecentByMarker(account, { text, mediaCount: 0 }, since);
    expect(found?.externalId).toBe(emu.control.posts().find((p) => p.text === text)?.id);
    expect(await x.findRecentByMarker(account, { text: 'never sent' }, since)).toBeNull();
    expect(await x.findRecentByMarker(account, { text, mediaCount: 1 }, since)).toBeNull();
    expect(emu.control.posts().filter((p) => p.text === text)).toHaveLength(1);
  });

  it('a blind retry after unknown_outcome is refused as a duplicate, flagged so the publisher reconciles', async () => {
    emu.control.acceptThenTimeout(1);
    await expectConnectorError(() => x.publish(account, { text: 'retry me' }), 'unknown_outcome');
    const err = await expectConnectorError(() => x.publish(account, { text: 'retry me' }), 'invalid_content');
    expect(err.info.duplicate).toBe(true);
    expect(emu.control.posts().filter((p) => p.text === 'retry me')).toHaveLength(1);
  });

  it('an unreachable network is transient (nothing was sent)', async () => {
    const nowhere = new TwitterConnector({ apiBaseUrl: 'http://127.0.0.1:1', authorizeUrl: 'http://127.0.0.1:1/i/oauth2/authorize', clientId: 'c', timeoutMs: 1_500 });
    try {
      const err = await expectConnectorError(() => nowhere.publish(account, { text: 'into the void' }), 'transient');
      expect(err.message).toContain('ECONNREFUSED');
    } finally {
      await nowhere.close();
    }
  });

  it('a timeout on a read is transient, not unknown_outcome', async () => {
    emu.control.failNext(1, 'timeout');
    await expectConnectorError(() => x.fetchProfile(account.accessToken), 'transient');
  });

  it('replies, reads comments and post metrics', async () => {
    const post = await x.publish(account, { text: 'ask me anything' });
    const reply = await x.reply(account, post.externalId, 'first answer');
    const comments = await x.fetchComments(account, post.externalId);
    expect(comments.map((c) => c.externalId)).toEqual([reply.externalId]);
    const metrics = await x.fetchPostMetrics(account, post.externalId);
    expect(metrics.values.reply_count).toBe(1);
  });

  it('opens its circuit after repeated network failures and stops calling the network', async () => {
    const fragile = new TwitterConnector({ apiBaseUrl: emu.url, authorizeUrl: `${emu.url}/i/oauth2/authorize`, clientId: 'c', timeoutMs: 1_500, breaker: { volumeThreshold: 2, resetTimeoutMs: 60_000 } });
    try {
      emu.control.failNext(2, 'server_error');
      await expectConnectorError(() => fragile.fetchProfile(account.accessToken), 'transient');
      await expectConnectorError(() => fragile.fetchProfile(account.accessToken), 'transient');
      const before = emu.control.calls().length;
      const err = await expectConnectorError(() => fragile.fetchProfile(account.accessToken), 'transient');
      expect(err.message).toMatch(/circuit open/);
      expect(emu.control.calls().length).toBe(before);
    } finally {
      await fragile.close();
    }
  });
});
