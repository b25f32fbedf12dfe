import jwt from 'jsonwebtoken';
import { JWT_AUDIENCE, JWT_ISSUER } from '@lib/auth-verify';
import { email, PASSWORD, register, startAuth, type AuthService, type SignedIn } from './harness';

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; messages: string[] }[];
}

describe('auth sessions over HTTP', () => {
  let svc: AuthService;

  beforeAll(async () => {
    svc = await startAuth();
  });

  afterAll(async () => {
    await svc?.stop();
  });

  const login = (address: string, password: string, ip = '10.0.0.1') =>
    svc.call<SignedIn & Problem>('POST', '/api/v1/auth/login', { body: { email: address, password }, headers: { 'x-forwarded-for': ip } });

  it('registers a workspace and its owner, then signs in, reads /me, refreshes and logs out', async () => {
    const address = email('Reg');
    const reg = await register(svc, { email: address.toUpperCase(), workspaceName: 'Café Crème' });
    expect(reg.user).toMatchObject({ email: address.toLowerCase(), role: 'OWNER', isActive: true });
    expect(reg.user).not.toHaveProperty('password');
    expect(reg.workspace).toMatchObject({ slug: 'cafe-creme', plan: 'FREE', limits: { users: 3 } });
    const claims = jwt.verify(reg.accessToken, svc.keys.publicKey, { algorithms: ['ES256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE }) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: reg.user.id, workspaceId: reg.workspace.id, role: 'OWNER' });
    expect(typeof claims.sid).toBe('string');
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(15 * 60);

    // Same name again: the slug gets a suffix.
    const again = await register(svc, { workspaceName: 'Cafe Creme' });
    expect(again.workspace.slug).toBe('cafe-creme-2');

    const signedIn = await login(address, PASSWORD);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.id).toBe(reg.user.id);

    const me = await svc.call<{ user: { id: string }; workspace: { id: string } }>('GET', '/api/v1/me', { token: signedIn.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(reg.user.id);
    expect(me.body.workspace.id).toBe(reg.workspace.id);
    // The same user and workspace the member and workspace endpoints show, field for field.
    const token = signedIn.body.accessToken;
    expect(me.body.user).toEqual((await svc.call('GET', `/api/v1/users/${reg.user.id}`, { token })).body);
    expect(me.body.workspace).toEqual((await svc.call('GET', '/api/v1/workspace', { token })).body);

    // An Idempotency-Key does not make a refresh replayable: token answers are never stored.
    const refreshed = await svc.call<SignedIn>('POST', '/api/v1/auth/refresh', { body: { refreshToken: signedIn.body.refreshToken }, headers: { 'idempotency-key': 'refresh-1' } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(signedIn.body.refreshToken);
    expect((await svc.call('GET', '/api/v1/me', { token: refreshed.body.accessToken })).status).toBe(200);
    expect(refreshed.headers.get('idempotency-replayed')).toBeNull();
    expect((await svc.db.query(`select count(*)::int as n from idempotency_keys`)).rows[0].n).toBe(0);

    expect((await svc.call('POST', '/api/v1/auth/logout', { token: refreshed.body.accessToken })).status).toBe(204);
    // The session is over: its access tokens (old and new) and its refresh token stop working at auth.
    expect((await svc.call('GET', '/api/v1/me', { token: refreshed.body.accessToken })).status).toBe(401);
    expect((await svc.call('GET', '/api/v1/me', { token: signedIn.body.accessToken })).status).toBe(401);
    expect((await svc.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } })).status).toBe(401);
    // The registration's own session is another family and still works.
    expect((await svc.call('GET', '/api/v1/me', { token: reg.accessToken })).status).toBe(200);
  });

  it('revokes the whole family when a rotated refresh token is presented again', async () => {
    const reg = await register(svc);
    const first = await svc.call<SignedIn>('POST', '/api/v1/auth/refresh', { body: { refreshToken: reg.refreshToken } });
    const second = await svc.call<SignedIn>('POST', '/api/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect([first.status, second.status]).toEqual([200, 200]);

    // The thief replays the first token: refused, and everything descending from the sign-in dies.
    const replay = await svc.call<Problem>('POST', '/api/v1/auth/refresh', { body: { refreshToken: reg.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('AUTH.REFRESH_UNAUTHORIZED');
    expect((await svc.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: second.body.refreshToken } })).status).toBe(401);
    expect((await svc.call('GET', '/api/v1/me', { token: second.body.accessToken })).status).toBe(401);

    const { rows } = await svc.db.query(`select "revokedReason" from sessions where "userId" = $1`, [reg.user.id]);
    expect(rows).toEqual([{ revokedReason: 'reuse_detected' }]);
    const audit = await svc.db.query(`select envelope from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceType' = 'session' and envelope->'data'->'details'->>'reason' = 'refresh_token_reuse'`);
    expect(audit.rowCount).toBe(1);
  });

  it('answers an unknown email and a wrong password the same way, in about the same time', async () => {
    const reg = await register(svc);
    const ip = '10.0.0.2';
    // Warm up both paths once.
    await login(email('nobody'), 'whatever-password-1', ip);
    await login(reg.user.email, 'wrong-password-1', ip);
    const timed = async (address: string, password: string) => {
      const t = process.hrtime.bigint();
      const res = await login(address, password, ip);
      return { res, ms: Number(process.hrtime.bigint() - t) / 1e6 };
    };
    // Alternate the two cases and compare medians: the machine is shared, single samples are noisy.
    const unknown: Awaited<ReturnType<typeof timed>>[] = [];
    const wrong: Awaited<ReturnType<typeof timed>>[] = [];
    for (let i = 0; i < 3; i++) {
      unknown.push(await timed(email('nobody'), `wrong-password-${i}`));
      wrong.push(await timed(reg.user.email, `wrong-password-${i}`));
    }
    const median = (xs: { ms: number }[]) => xs.map((x) => x.ms).sort((a, b) => a - b)[1];
    const strip = (b: object) => ({ ...b, correlationId: undefined });
    for (const r of [...unknown, ...wrong]) {
      expect(r.res.status).toBe(401);
      expect(strip(r.res.body)).toEqual(strip(wrong[0].res.body));
    }
    expect(wrong[0].res.body).toMatchObject({ code: 'AUTH.LOGIN_UNAUTHORIZED', title: 'Invalid email or password' });
    // Both paths do one bcrypt verification at cost 12 (~250 ms); without the dummy hash the
    // unknown email would answer in a few milliseconds.
    expect(median(unknown)).toBeGreaterThan(median(wrong) * 0.6);
    expect(median(unknown)).toBeLessThan(median(wrong) * 1.6);
  });

  it('throttles an account after 5 failures with 429 and Retry-After, the right password included, and doubles the delay', async () => {
    const reg = await register(svc);
    const ip = '10.0.0.3';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(reg.user.email, `wrong-password-${i}`, ip)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const blocked = await login(reg.user.email, PASSWORD, '10.0.0.4');
    expect(blocked.status).toBe(429);
    expect(blocked.body.code).toBe('AUTH.LOGIN_RATE_LIMITED');
    const retryAfter = Number(blocked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(25);
    expect(retryAfter).toBeLessThanOrEqual(30);

    // Once the lock has passed, the next failure locks for twice as long.
    await svc.db.query(`update login_throttles set "lockedUntil" = now() - interval '1 second' where "lockedUntil" is not null and key like 'account:%'`);
    expect((await login(reg.user.email, 'wrong-password-x', ip)).status).toBe(401);
    const again = await login(reg.user.email, PASSWORD, ip);
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(50);
  });

  it('throttles a client address that fails on many accounts', async () => {
    const ip = '10.9.9.9';
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push((await login(email(`spray${i}`), 'wrong-password-0', ip)).status);
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses[20]).toBe(429);
    // Another address is not affected.
    const reg = await register(svc);
    expect((await login(reg.user.email, PASSWORD, '10.9.9.10')).status).toBe(200);
  });

  it('refuses tampered, expired, unsigned (alg none) and foreign-key tokens with 401', async () => {
    const reg = await register(svc);
    const claims = jwt.decode(reg.accessToken) as jwt.JwtPayload;
    const [h, p, s] = reg.accessToken.split('.');
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tampered = `${h}.${b64({ ...claims, role: 'OWNER', workspaceId: '00000000-0000-4000-8000-000000000000' })}.${s}`;
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
    const expired = jwt.sign({ workspaceId: claims.workspaceId, role: claims.role, sid: claims.sid, exp: Math.floor(Date.now() / 1000) - 60 }, svc.keys.privateKey, {
      algorithm: 'ES256',
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      subject: claims.sub,
    });
    const hs256 = jwt.sign({ workspaceId: claims.workspaceId, role: claims.role, sid: claims.sid }, svc.keys.publicKey, { algorithm: 'HS256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE, subject: claims.sub });
    for (const [name, token] of Object.entries({ tampered, none, expired, hs256, garbage: 'abc.def.ghi' })) {
      const res = await svc.call<Problem>('GET', '/api/v1/me', { token });
      expect([name, res.status, res.body.code]).toEqual([name, 401, 'AUTH.UNAUTHORIZED']);
    }
    expect((await svc.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await svc.call('GET', '/api/v1/me', { token: reg.accessToken })).status).toBe(200);
  });

  it('describes its routes and request bodies in its internal OpenAPI document (merged by the edge)', async () => {
    const res = await fetch(`${svc.base}/internal/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: Record<string, unknown> }> } };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/v1/auth/login',
      '/api/v1/auth/logout',
      '/api/v1/auth/refresh',
      '/api/v1/auth/register',
      '/api/v1/invitations',
      '/api/v1/invitations/accept',
      '/api/v1/invitations/{id}',
      '/api/v1/me',
      '/api/v1/users',
      '/api/v1/users/{id}',
      '/api/v1/users/{id}/permissions',
      '/api/v1/workspace',
      '/api/v1/workspace/plan',
      '/api/v1/workspace/transfer-ownership',
    ]);
    expect(Object.keys(doc.components.schemas.RegisterRequest.properties ?? {}).sort()).toEqual(['email', 'name', 'password', 'workspaceName']);
  });

  it('names the fields of invalid bodies and enforces the password policy', async () => {
    const bad = await svc.call<Problem>('POST', '/api/v1/auth/register', { body: { email: 'not-an-email', password: 12, workspaceName: '', extra: true } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('COMMON.VALIDATION_FAILED');
    expect(bad.body.errors!.map((e) => e.field).sort()).toEqual(['email', 'extra', 'name', 'password', 'workspaceName']);

    const short = await svc.call<Problem>('POST', '/api/v1/auth/register', { body: { email: email('short'), password: 'short', name: 'A', workspaceName: 'W' } });
    expect(short.status).toBe(400);
    expect(short.body.errors).toEqual([{ field: 'password', messages: ['password must be at least 10 characters long'] }]);

    const address = email('same');
    const same = await svc.call<Problem>('POST', '/api/v1/auth/register', { body: { email: address, password: address.toUpperCase(), name: 'A', workspaceName: 'W' } });
    expect(same.status).toBe(400);
    expect(same.body.errors![0].field).toBe('password');

    const reg = await register(svc);
    const dup = await svc.call<Problem>('POST', '/api/v1/auth/register', { body: { email: reg.user.email, password: PASSWORD, name: 'A', workspaceName: 'W' } });
    expect(dup.status).toBe(409);

    const loginBad = await svc.call<Problem>('POST', '/api/v1/auth/login', { body: { email: 'x' } });
    expect(loginBad.status).toBe(400);
    expect(loginBad.body.errors!.map((e) => e.field).sort()).toEqual(['email', 'password']);
  });
});
