import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@lib/testing';
import { TokenCipher } from '../../apps/publishing/src/accounts/token-cipher';
import { ROOT, emulatedNetworkEnv } from '../../tools/dev/env';
import { startEmulator, type RunningEmulator } from '../../tools/emulators/src';
import { callAs, keySpec, signToken, startPublishing, type Publishing } from './harness';

interface AccountBody {
  id: string;
  platform: string;
  platformAccountId: string;
  username: string;
  isActive: boolean;
  disconnectReason: string | null;
  reconnectBy: string | null;
}

interface Answer {
  status: number;
  body: Record<string, unknown> & { code?: string };
  text: string;
}

interface AccountRow {
  id: string;
  platform: string;
  platformAccountId: string;
  accessToken: string;
  refreshToken: string | null;
  isActive: boolean;
  metadata: Record<string, unknown>;
}

const run = promisify(execFile);

describe('publishing: connecting social accounts', () => {
  const k1 = { id: 'k1', key: randomBytes(32) };
  const k2 = { id: 'k2', key: randomBytes(32) };
  const cipher = new TokenCipher(k2, [k1]); // reads rows under either key
  const ws = randomUUID();
  const otherWs = randomUUID();
  const admin = randomUUID();
  let svc: Publishing;
  let db: Publishing['db'];
  let x: RunningEmulator;
  let fb: RunningEmulator;
  let li: RunningEmulator;

  const call = (method: string, urlPath: string, body?: unknown, role = 'ADMIN', workspaceId = ws): Promise<Answer> =>
    callAs(svc.base, signToken(svc.keys, { sub: admin, workspaceId, role }))(method, urlPath, body);

  /** The network's redirect back to us: no bearer token, only code and state. */
  const callback = (search: string): Promise<Answer> => callAs(svc.base)('GET', `/api/v1/social-accounts/oauth/callback${search}`);

  /** Start → follow the authorize URL (the emulator approves at once) → the callback it redirects to. */
  async function connect(platform: string): Promise<{ answer: Answer; authorizationUrl: URL; redirect: URL }> {
    const start = await call('POST', '/api/v1/social-accounts/oauth/start', { platform });
    expect(start.status).toBe(200);
    const authorizationUrl = new URL(start.body.authorizationUrl as string);
    expect(authorizationUrl.searchParams.get('state')).toBe(start.body.state);
    const page = await fetch(authorizationUrl, { redirect: 'manual' });
    expect(page.status).toBe(302);
    const redirect = new URL(page.headers.get('location')!);
    expect(redirect.pathname).toBe('/api/v1/social-accounts/oauth/callback');
    return { answer: await callback(redirect.search), authorizationUrl, redirect };
  }

  async function row(id: string): Promise<AccountRow> {
    return (await db.query<AccountRow>('select * from social_accounts where id = $1', [id])).rows[0];
  }

  async function disconnectedEvents(accountId: string): Promise<{ reason: string }[]> {
    const { rows } = await db.query<{ envelope: { data: { reason: string } } }>(`select envelope from outbox where topic = 'account.disconnected' and key = $1 order by seq`, [accountId]);
    return rows.map((r) => r.envelope.data);
  }

  beforeAll(async () => {
    [x, fb, li] = await Promise.all([startEmulator('twitter'), startEmulator('facebook'), startEmulator('linkedin')]);
    svc = await startPublishing({
      name: 'accounts',
      tokenKey: k1,
      env: {
        PUBLIC_BASE_URL: 'http://edge.example.test',
        TOKEN_REFRESH_INTERVAL_MS: '200',
        TOKEN_REFRESH_AHEAD_MS: '60000',
        ...emulatedNetworkEnv({ twitter: x.url, facebook: fb.url, linkedin: li.url }),
      },
    });
    db = svc.db;
  });

  afterAll(async () => {
    await svc?.stop();
    await Promise.all([x, fb, li].filter(Boolean).map((e) => e.stop()));
  });

  let xAccount: AccountBody;
  let liAccount: AccountBody;
  let fbAccounts: AccountBody[];

  it('connects an X account through OAuth with PKCE', async () => {
    const { answer, authorizationUrl, redirect } = await connect('TWITTER');
    expect(authorizationUrl.origin).toBe(x.url);
    expect(authorizationUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizationUrl.searchParams.get('redirect_uri')).toBe('http://edge.example.test/api/v1/social-accounts/oauth/callback');
    expect(redirect.origin).toBe('http://edge.example.test');
    expect(answer.status).toBe(200);
    xAccount = answer.body.account as AccountBody;
    expect(xAccount).toMatchObject({ platform: 'TWITTER', isActive: true, disconnectReason: null });
    const stored = await row(xAccount.id);
    expect(cipher.decrypt(stored.accessToken)).toMatch(/^xat_/);
    expect(cipher.decrypt(stored.refreshToken!)).toMatch(/^xrt_/);
    const connected = await db.query(`select envelope from outbox where topic = 'account.connected' and key = $1`, [xAccount.id]);
    expect(connected.rows.map((r) => r.envelope.data)).toEqual([{ accountId: xAccount.id, platform: 'TWITTER', username: xAccount.username }]);
    const audit = await db.query(`select envelope from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1`, [xAccount.id]);
    expect(audit.rows.map((r) => r.envelope.data.action)).toEqual(['social_account.connected']);
  });

  it('connects a LinkedIn member and every page of a Facebook user, with page tokens', async () => {
    const linkedin = await connect('LINKEDIN');
    expect(linkedin.answer.status).toBe(200);
    liAccount = linkedin.answer.body.account as AccountBody;
    expect(liAccount.platformAccountId).toMatch(/^urn:li:person:/);
    expect(cipher.decrypt((await row(liAccount.id)).refreshToken!)).toMatch(/^AQX/);

    const facebook = await connect('FACEBOOK');
    expect(facebook.answer.status).toBe(200);
    fbAccounts = facebook.answer.body.accounts as AccountBody[];
    expect(fbAccounts.length).toBeGreaterThanOrEqual(1);
    for (const page of fbAccounts) {
      expect(page).toMatchObject({ platform: 'FACEBOOK', isActive: true });
      expect(new Date(page.reconnectBy!).getTime()).toBeGreaterThan(Date.now() + 50 * 24 * 3600_000);
      const stored = await row(page.id);
      expect(cipher.decrypt(stored.accessToken)).toMatch(/^EAAP/); // the page token, not the user's
      expect(stored.refreshToken).toBeNull();
    }
    const calls = fb.control.calls().map((c) => `${c.method} ${c.path}`);
    expect(calls).toEqual(expect.arrayContaining(['GET /v21.0/oauth/access_token', 'GET /v21.0/me', 'GET /v21.0/me/accounts']));
  });

  it('stores tokens as ciphertext only and never answers with one', async () => {
    const { rows } = await db.query<AccountRow>('select * from social_accounts where "workspaceId" = $1', [ws]);
    const secrets = rows.flatMap((r) => [r.accessToken, r.refreshToken].filter((t): t is string => !!t).map((t) => cipher.decrypt(t)));
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    for (const r of rows) {
      expect(r.accessToken).toMatch(/^v1:k1:/);
      if (r.refreshToken) expect(r.refreshToken).toMatch(/^v1:k1:/);
    }
    const states = await db.query<{ codeVerifier: string | null }>('select * from oauth_states');
    expect(states.rows.filter((s) => s.codeVerifier).every((s) => s.codeVerifier!.startsWith('v1:k1:'))).toBe(true);
    const dump = JSON.stringify([rows, states.rows, (await db.query('select * from outbox')).rows]);
    for (const secret of secrets) expect(dump).not.toContain(secret);

    const list = await call('GET', '/api/v1/social-accounts', undefined, 'VIEWER');
    expect(list.status).toBe(200);
    expect((list.body.items as AccountBody[]).map((a) => a.id).sort()).toEqual(rows.map((r) => r.id).sort());
    const one = await call('GET', `/api/v1/social-accounts/${xAccount.id}`, undefined, 'VIEWER');
    expect(one.status).toBe(200);
    for (const text of [list.text, one.text]) {
      expect(text).not.toMatch(/accessToken|refreshToken|v1:k1:/);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it('reconnecting keeps the stored refresh token when the network returns none', async () => {
    const before = await row(liAccount.id);
    li.control.approveNextAs(liAccount.platformAccountId, { withoutRefreshToken: true });
    const { answer } = await connect('LINKEDIN');
    expect(answer.status).toBe(200);
    expect((answer.body.account as AccountBody).id).toBe(liAccount.id);
    const after = await row(liAccount.id);
    expect(cipher.decrypt(after.accessToken)).not.toBe(cipher.decrypt(before.accessToken));
    expect(after.refreshToken).not.toBeNull();
    expect(cipher.decrypt(after.refreshToken!)).toBe(cipher.decrypt(before.refreshToken!));
    const audit = await db.query(`select envelope from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1 order by seq`, [liAccount.id]);
    expect(audit.rows.map((r) => r.envelope.data.action)).toEqual(['social_account.connected', 'social_account.reconnected']);
  });

  it('refreshes X tokens in the background and stores the rotated refresh token', async () => {
    const before = await row(xAccount.id);
    const oldRefresh = cipher.decrypt(before.refreshToken!);
    x.control.expireTokens();
    await db.query(`update social_accounts set "tokenExpiry" = now() where id = $1`, [xAccount.id]);
    await waitFor(async () => cipher.decrypt((await row(xAccount.id)).refreshToken!) !== oldRefresh, 10_000, 'the X refresh token to rotate');
    const after = await row(xAccount.id);
    expect(after.isActive).toBe(true);
    // The new access token works at the network; the old refresh token was spent.
    const me = await fetch(`${x.url}/2/users/me`, { headers: { authorization: `Bearer ${cipher.decrypt(after.accessToken)}` } });
    expect(me.status).toBe(200);
    const spent = await fetch(`${x.url}/2/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: oldRefresh, client_id: 'emulated-x-client' }),
    });
    expect(spent.status).toBe(400);
    // Not due any more: no refresh loop.
    const refreshes = () => x.control.calls().filter((c) => c.path === '/2/oauth2/token').length;
    const n = refreshes();
    await new Promise((r) => setTimeout(r, 800));
    expect(refreshes()).toBe(n);
  });

  it('a revoked refresh token deactivates the account once, with the network reason, and a reconnect restores it', async () => {
    const { answer } = await connect('TWITTER');
    const account = answer.body.account as AccountBody;
    const stored = await row(account.id);
    await fetch(`${x.url}/2/oauth2/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: cipher.decrypt(stored.refreshToken!), client_id: 'emulated-x-client' }),
    });
    const tokenCalls = () => x.control.calls().filter((c) => c.path === '/2/oauth2/token').length;
    const before = tokenCalls();
    await db.query(`update social_accounts set "tokenExpiry" = now() where id = $1`, [account.id]);
    await waitFor(async () => !(await row(account.id)).isActive, 10_000, 'the account to be deactivated');
    await new Promise((r) => setTimeout(r, 800));
    expect(tokenCalls()).toBe(before + 1);
    const after = await row(account.id);
    expect(after.metadata.disconnectReason).toMatch(/^TWITTER: .*token was invalid/);
    expect(await disconnectedEvents(account.id)).toEqual([{ accountId: account.id, platform: 'TWITTER', reason: after.metadata.disconnectReason }]);
    expect((await call('GET', `/api/v1/social-accounts/${account.id}`)).body).toMatchObject({ isActive: false, disconnectReason: after.metadata.disconnectReason });

    x.control.approveNextAs(account.platformAccountId);
    const again = await connect('TWITTER');
    expect(again.answer.body.account).toMatchObject({ id: account.id, isActive: true, disconnectReason: null });
    expect(cipher.decrypt((await row(account.id)).refreshToken!)).not.toBe(cipher.decrypt(stored.refreshToken!));
  });

  it('disconnecting revokes at the network, keeps the row and says why', async () => {
    const before = x.control.calls().length;
    const stored = await row(xAccount.id);
    const res = await call('DELETE', `/api/v1/social-accounts/${xAccount.id}`);
    expect(res.status).toBe(204);
    const revokes = x.control.calls().slice(before).filter((c) => c.method === 'POST' && c.path === '/2/oauth2/revoke');
    expect(revokes.length).toBeGreaterThanOrEqual(1);
    const me = await fetch(`${x.url}/2/users/me`, { headers: { authorization: `Bearer ${cipher.decrypt(stored.accessToken)}` } });
    expect(me.status).toBe(401);
    const after = await row(xAccount.id);
    expect(after).toMatchObject({ isActive: false, accessToken: stored.accessToken, refreshToken: stored.refreshToken, platformAccountId: stored.platformAccountId });
    expect(await disconnectedEvents(xAccount.id)).toEqual([{ accountId: xAccount.id, platform: 'TWITTER', reason: 'user' }]);
    expect((await call('DELETE', `/api/v1/social-accounts/${xAccount.id}`)).status).toBe(204);
    expect(await disconnectedEvents(xAccount.id)).toHaveLength(1);
  });

  it('refuses unknown and reused states, other workspaces and roles without the right', async () => {
    const { redirect } = await (async () => {
      const start = await call('POST', '/api/v1/social-accounts/oauth/start', { platform: 'LINKEDIN' });
      const page = await fetch(start.body.authorizationUrl as string, { redirect: 'manual' });
      return { redirect: new URL(page.headers.get('location')!) };
    })();
    expect((await callback(redirect.search)).status).toBe(200);
    const reused = await callback(redirect.search);
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('PUBLISHING.OAUTH_STATE_INVALID');
    const unknown = await callback(`?code=abc&state=${randomBytes(32).toString('base64url')}`);
    expect(unknown.status).toBe(400);
    expect((await callback('?code=abc')).status).toBe(400);

    expect((await call('POST', '/api/v1/social-accounts/oauth/start', { platform: 'TWITTER' }, 'VIEWER')).status).toBe(403);
    expect((await call('POST', '/api/v1/social-accounts/oauth/start', { platform: 'TWITTER' }, 'EDITOR')).status).toBe(403);
    expect((await call('DELETE', `/api/v1/social-accounts/${liAccount.id}`, undefined, 'EDITOR')).status).toBe(403);
    const tiktok = await call('POST', '/api/v1/social-accounts/oauth/start', { platform: 'TIKTOK' });
    expect(tiktok.status).toBe(422);
    expect(tiktok.body.code).toBe('PUBLISHING.NETWORK_NOT_CONFIGURED_UNPROCESSABLE');
    expect(tiktok.body.detail ?? tiktok.body.title).toMatch(/TIKTOK/);
    expect((await call('POST', '/api/v1/social-accounts/oauth/start', { platform: 'MYSPACE' })).status).toBe(400);

    const foreignGet = await call('GET', `/api/v1/social-accounts/${liAccount.id}`, undefined, 'OWNER', otherWs);
    expect(foreignGet.status).toBe(404);
    expect(foreignGet.body.code).toBe('PUBLISHING.SOCIAL_ACCOUNT_NOT_FOUND');
    expect((await call('DELETE', `/api/v1/social-accounts/${liAccount.id}`, undefined, 'OWNER', otherWs)).status).toBe(404);
    expect((await call('GET', '/api/v1/social-accounts', undefined, 'OWNER', otherWs)).body.items).toEqual([]);
    expect((await row(liAccount.id)).isActive).toBe(true);
  });

  it('re-encrypts every token under a new key, idempotently, and the service works with both keys', async () => {
    const plain = async () => {
      const { rows } = await db.query<AccountRow>('select * from social_accounts order by id');
      return rows.map((r) => [r.id, cipher.decrypt(r.accessToken), r.refreshToken && cipher.decrypt(r.refreshToken)]);
    };
    const before = await plain();
    const script = path.join(ROOT, 'dist/apps/publishing/src/reencrypt-tokens.js');
    const env = { ...process.env, DATABASE_URL: svc.url, TOKEN_ENCRYPTION_KEYS: keySpec(k2, k1) };
    const first = JSON.parse((await run(process.execPath, [script], { env })).stdout.trim());
    expect(first.currentKey).toBe('k2');
    expect(first.tables.social_accounts.reencrypted).toBeGreaterThanOrEqual(before.length);
    expect(first.tables.social_accounts.failed).toBe(0);
    expect(first.tables.oauth_states.reencrypted).toBeGreaterThanOrEqual(1);
    const { rows } = await db.query<AccountRow>('select * from social_accounts');
    for (const r of rows) {
      expect(r.accessToken).toMatch(/^v1:k2:/);
      if (r.refreshToken) expect(r.refreshToken).toMatch(/^v1:k2:/);
    }
    const states = await db.query<{ codeVerifier: string | null }>('select "codeVerifier" from oauth_states where "codeVerifier" is not null');
    expect(states.rows.every((s) => s.codeVerifier!.startsWith('v1:k2:'))).toBe(true);
    expect(await plain()).toEqual(before);
    const second = JSON.parse((await run(process.execPath, [script], { env })).stdout.trim());
    expect(second.tables.social_accounts.reencrypted).toBe(0);
    expect(second.tables.social_accounts.current).toBe(first.tables.social_accounts.reencrypted + first.tables.social_accounts.current);

    await svc.restart({ TOKEN_ENCRYPTION_KEYS: keySpec(k2, k1) });
    // Decrypts rows moved to k2 (disconnect revokes with the stored token)…
    const liStored = await row(liAccount.id);
    expect((await call('DELETE', `/api/v1/social-accounts/${liAccount.id}`)).status).toBe(204);
    const userinfo = await fetch(`${li.url}/v2/userinfo`, { headers: { authorization: `Bearer ${cipher.decrypt(liStored.accessToken)}` } });
    expect(userinfo.status).toBe(401);
    // …and writes new connections under k2.
    const { answer } = await connect('TWITTER');
    expect(answer.status).toBe(200);
    expect((await row((answer.body.account as AccountBody).id)).accessToken).toMatch(/^v1:k2:/);
  });
});
