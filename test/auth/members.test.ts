import jwt from 'jsonwebtoken';
import { dumpDatabase, email, PASSWORD, register, startAuth, type AuthService, type SignedIn } from './harness';

type Role = 'OWNER' | 'ADMIN' | 'MANAGER' | 'EDITOR' | 'VIEWER';
const ROLES: Role[] = ['OWNER', 'ADMIN', 'MANAGER', 'EDITOR', 'VIEWER'];

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; messages: string[] }[];
  [k: string]: unknown;
}

describe('auth members, roles and workspaces over HTTP', () => {
  let svc: AuthService;
  /** Every secret this file handles: none may be found in the database. */
  const secrets = new Set<string>();
  let owner: SignedIn;
  const tokens = {} as Record<Role, string>;
  const ids = {} as Record<Role, string>;

  const invite = async (token: string, address: string, role: Role) => {
    // With an Idempotency-Key: an answer that carries a token must not be stored (see the scan below).
    const res = await svc.call<{ invitation: { id: string }; token: string } & Problem>('POST', '/api/v1/invitations', { token, body: { email: address, role }, headers: { 'idempotency-key': `inv-${address}` } });
    if (res.status === 201) secrets.add(res.body.token);
    return res;
  };
  const accept = async (invitationToken: string, password = PASSWORD) => {
    const res = await svc.call<SignedIn & Problem>('POST', '/api/v1/invitations/accept', { body: { token: invitationToken, name: 'Member', password }, headers: { 'idempotency-key': `acc-${invitationToken.slice(0, 8)}-${password.length}` } });
    if (res.status === 201) {
      secrets.add(res.body.accessToken);
      secrets.add(res.body.refreshToken);
    }
    return res;
  };
  /** Invites and signs in a member of the owner's workspace. */
  const member = async (role: Role, inviter = owner.accessToken) => {
    const inv = await invite(inviter, email(role.toLowerCase()), role);
    expect(inv.status).toBe(201);
    const joined = await accept(inv.body.token);
    expect(joined.status).toBe(201);
    return joined.body;
  };

  beforeAll(async () => {
    svc = await startAuth();
    secrets.add(PASSWORD);
    owner = await register(svc, { workspaceName: 'Roles Inc' });
    secrets.add(owner.accessToken);
    secrets.add(owner.refreshToken);
    // Plans are changed by billing, outside this service: a bigger plan for the role matrix.
    await svc.db.query(`update workspaces set plan = 'STARTER', limits = '{"users": 10, "socialAccounts": 10, "scheduledPostsPerMonth": 300, "aiCreditsPerMonth": 500}' where id = $1`, [owner.workspace.id]);
    tokens.OWNER = owner.accessToken;
    ids.OWNER = owner.user.id;
    for (const role of ['ADMIN', 'MANAGER', 'EDITOR', 'VIEWER'] as Role[]) {
      const m = await member(role);
      tokens[role] = m.accessToken;
      ids[role] = m.user.id;
    }
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('applies the role matrix to every auth, workspace and user endpoint: allowed, or 403 AUTH.FORBIDDEN', async () => {
    const target = await member('VIEWER');
    const endpoints: { method: string; url: string; body?: unknown; min: Role; ok: number }[] = [
      { method: 'GET', url: '/api/v1/me', min: 'VIEWER', ok: 200 },
      { method: 'GET', url: '/api/v1/workspace', min: 'VIEWER', ok: 200 },
      { method: 'PATCH', url: '/api/v1/workspace', body: { name: 'Roles Inc' }, min: 'ADMIN', ok: 200 },
      { method: 'GET', url: '/api/v1/users', min: 'VIEWER', ok: 200 },
      { method: 'GET', url: `/api/v1/users/${target.user.id}`, min: 'VIEWER', ok: 200 },
      { method: 'PATCH', url: `/api/v1/users/${target.user.id}`, body: { isActive: true }, min: 'ADMIN', ok: 200 },
      { method: 'GET', url: `/api/v1/users/${target.user.id}/permissions`, min: 'ADMIN', ok: 200 },
      { method: 'PUT', url: `/api/v1/users/${target.user.id}/permissions`, body: { permissions: [] }, min: 'ADMIN', ok: 200 },
      { method: 'GET', url: '/api/v1/invitations', min: 'ADMIN', ok: 200 },
      // Allowed, and then not found: no such invitation.
      { method: 'DELETE', url: '/api/v1/invitations/00000000-0000-4000-8000-000000000000', min: 'ADMIN', ok: 404 },
      { method: 'POST', url: '/api/v1/invitations', body: { email: 'placeholder', role: 'VIEWER' }, min: 'ADMIN', ok: 201 },
      // Destructive ones: every role below is refused here; the allowed roles are exercised below.
      { method: 'DELETE', url: `/api/v1/users/${target.user.id}`, min: 'ADMIN', ok: 0 },
      { method: 'POST', url: '/api/v1/workspace/transfer-ownership', body: { userId: target.user.id }, min: 'OWNER', ok: 0 },
    ];
    const rank = (r: Role) => ROLES.length - ROLES.indexOf(r);
    const seen: string[] = [];
    for (const e of endpoints) {
      for (const role of ROLES) {
        const allowed = rank(role) >= rank(e.min);
        if (allowed && e.ok === 0) continue;
        const body = e.url === '/api/v1/invitations' && e.method === 'POST' ? { email: email('matrix'), role: 'VIEWER' } : e.body;
        const res = await svc.call<Problem & { token?: string }>(e.method, e.url, { token: tokens[role], body });
        if (res.body.token) secrets.add(res.body.token);
        seen.push(`${role} ${e.method} ${e.url.replace(target.user.id, ':id')} → ${allowed ? e.ok : 403}`);
        const expected = allowed ? (e.ok === 404 ? 'AUTH.INVITATION_NOT_FOUND' : '') : 'AUTH.FORBIDDEN';
        expect(`${role} ${e.method} ${e.url} ${res.status} ${res.body.code ?? ''}`).toBe(`${role} ${e.method} ${e.url} ${allowed ? e.ok : 403} ${expected}`);
      }
    }
    expect(seen.length).toBe(5 * 11 + 3 + 4);

    // The allowed destructive calls.
    const second = await member('VIEWER');
    expect((await svc.call('DELETE', `/api/v1/users/${target.user.id}`, { token: tokens.ADMIN })).status).toBe(204);
    expect((await svc.call('DELETE', `/api/v1/users/${second.user.id}`, { token: tokens.OWNER })).status).toBe(204);
    expect((await svc.call('GET', `/api/v1/users/${target.user.id}`, { token: tokens.OWNER })).status).toBe(404);
    // A removed member's token dies with them.
    expect((await svc.call('GET', '/api/v1/me', { token: second.accessToken })).status).toBe(401);

    // Every role may end its own session (on a separate sign-in, so the tokens above live on).
    for (const role of ROLES) {
      const address = (await svc.db.query(`select email from users where id = $1`, [ids[role]])).rows[0].email as string;
      const signedIn = await svc.call<SignedIn>('POST', '/api/v1/auth/login', { body: { email: address, password: PASSWORD }, headers: { 'x-forwarded-for': '10.2.0.1' } });
      expect([role, signedIn.status]).toEqual([role, 200]);
      secrets.add(signedIn.body.accessToken);
      secrets.add(signedIn.body.refreshToken);
      expect([role, (await svc.call('POST', '/api/v1/auth/logout', { token: signedIn.body.accessToken })).status]).toEqual([role, 204]);
      expect([role, (await svc.call('GET', '/api/v1/me', { token: signedIn.body.accessToken })).status]).toEqual([role, 401]);
    }
  });

  it('lets members manage only roles below their own, and protects the owner', async () => {
    const editor = await member('EDITOR');
    const asAdmin = (method: string, id: string, body?: unknown) => svc.call<Problem>(method, `/api/v1/users/${id}`, { token: tokens.ADMIN, body });
    expect((await asAdmin('PATCH', editor.user.id, { role: 'MANAGER' })).status).toBe(200);
    const promote = await asAdmin('PATCH', editor.user.id, { role: 'ADMIN' });
    expect([promote.status, promote.body.code]).toEqual([403, 'AUTH.ROLE_FORBIDDEN']);
    expect((await asAdmin('PATCH', ids.ADMIN, { role: 'VIEWER' })).status).toBe(403);
    for (const [method, body] of [['PATCH', { role: 'ADMIN' }], ['PATCH', { isActive: false }], ['DELETE', undefined]] as const) {
      const res = await asAdmin(method, ids.OWNER, body);
      expect([method, res.status, res.body.code]).toEqual([method, 409, 'AUTH.OWNER_CONFLICT']);
    }
    const ownerSelf = await svc.call<Problem>('PATCH', `/api/v1/users/${ids.OWNER}`, { token: tokens.OWNER, body: { role: 'ADMIN' } });
    expect(ownerSelf.status).toBe(409);
    const inviteAdmin = await invite(tokens.ADMIN, email('x'), 'ADMIN');
    expect([inviteAdmin.status, inviteAdmin.body.code]).toEqual([403, 'AUTH.ROLE_FORBIDDEN']);
    const inviteOwner = await invite(tokens.OWNER, email('x'), 'OWNER');
    expect(inviteOwner.status).toBe(400);
    expect(inviteOwner.body.errors![0].field).toBe('role');

    const { rows } = await svc.db.query(`select envelope->'data' as data from outbox where topic = 'user.role_changed' and key = $1`, [editor.user.id]);
    expect(rows).toEqual([{ data: { userId: editor.user.id, from: 'EDITOR', to: 'MANAGER' } }]);
  });

  it('deactivating a member revokes their sessions at once and they cannot sign in', async () => {
    const m = await member('EDITOR');
    expect((await svc.call('GET', '/api/v1/me', { token: m.accessToken })).status).toBe(200);
    const res = await svc.call<{ isActive: boolean }>('PATCH', `/api/v1/users/${m.user.id}`, { token: tokens.ADMIN, body: { isActive: false } });
    expect(res.status).toBe(200);
    expect(res.body.isActive).toBe(false);
    expect((await svc.call('GET', '/api/v1/me', { token: m.accessToken })).status).toBe(401);
    expect((await svc.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: m.refreshToken } })).status).toBe(401);
    const login = await svc.call<Problem>('POST', '/api/v1/auth/login', { body: { email: m.user.email, password: PASSWORD }, headers: { 'x-forwarded-for': '10.1.0.1' } });
    expect([login.status, login.body.code]).toEqual([401, 'AUTH.LOGIN_UNAUTHORIZED']);
    const { rows } = await svc.db.query(`select count(*)::int as n from outbox where topic = 'user.deactivated' and key = $1`, [m.user.id]);
    expect(rows[0].n).toBe(1);
  });

  it('isolates workspaces: another workspace’s user is 404 on read, change and removal', async () => {
    const other = await register(svc, { workspaceName: 'Other Co' });
    secrets.add(other.accessToken);
    secrets.add(other.refreshToken);
    const requests = [
      ['GET', '', undefined],
      ['PATCH', '', { role: 'VIEWER' }],
      ['DELETE', '', undefined],
      ['GET', '/permissions', undefined],
      ['PUT', '/permissions', { permissions: [{ resource: 'workspace', action: 'transfer' }] }],
    ] as const;
    for (const [method, suffix, body] of requests) {
      const res = await svc.call<Problem>(method, `/api/v1/users/${ids.VIEWER}${suffix}`, { token: other.accessToken, body });
      expect([method, suffix, res.status, res.body.code]).toEqual([method, suffix, 404, 'AUTH.USER_NOT_FOUND']);
    }
    const transfer = await svc.call<Problem>('POST', '/api/v1/workspace/transfer-ownership', { token: other.accessToken, body: { userId: ids.VIEWER } });
    expect([transfer.status, transfer.body.code]).toEqual([404, 'AUTH.USER_NOT_FOUND']);
    const list = await svc.call<{ items: { id: string }[] }>('GET', '/api/v1/users', { token: other.accessToken });
    expect(list.body.items.map((u) => u.id)).toEqual([other.user.id]);
    const ws = await svc.call<{ id: string }>('GET', '/api/v1/workspace', { token: other.accessToken });
    expect(ws.body.id).toBe(other.workspace.id);
  });

  it('pages users with an opaque cursor and validates limit and cursor', async () => {
    const all: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const q: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const res = await svc.call<{ items: { id: string; workspaceId: string }[]; nextCursor: string | null }>('GET', `/api/v1/users${q}`, { token: tokens.VIEWER });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      expect(res.body.items.every((u) => u.workspaceId === owner.workspace.id)).toBe(true);
      all.push(...res.body.items.map((u) => u.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    const { rows } = await svc.db.query(`select id from users where "workspaceId" = $1 order by "createdAt", id`, [owner.workspace.id]);
    expect(all).toEqual(rows.map((r) => r.id));
    expect(new Set(all).size).toBe(all.length);

    const tooMany = await svc.call<Problem>('GET', '/api/v1/users?limit=101', { token: tokens.VIEWER });
    expect([tooMany.status, tooMany.body.errors![0].field]).toEqual([400, 'limit']);
    const bad = await svc.call<Problem>('GET', '/api/v1/users?cursor=garbage', { token: tokens.VIEWER });
    expect([bad.status, bad.body.errors![0].field]).toEqual([400, 'cursor']);
    const badId = await svc.call<Problem>('GET', '/api/v1/users/not-a-uuid', { token: tokens.VIEWER });
    expect([badId.status, badId.body.errors![0].field]).toEqual([400, 'id']);
  });

  it('widens and narrows a member’s rights with user_permissions rows, at auth and in the token', async () => {
    const put = (as: Role, who: Role, permissions: unknown) => svc.call<Problem & { items: unknown[] }>('PUT', `/api/v1/users/${ids[who]}/permissions`, { token: tokens[as], body: { permissions } });
    // Widen: a VIEWER may read invitations; narrow: a MANAGER sees only themselves among users.
    const widened = await put('ADMIN', 'VIEWER', [{ resource: 'invitations', action: 'read' }, { resource: 'posts', action: 'update', conditions: { platforms: ['INSTAGRAM'] } }]);
    expect(widened.status).toBe(200);
    expect(widened.body.items).toEqual([
      { resource: 'invitations', action: 'read', conditions: null },
      { resource: 'posts', action: 'update', conditions: { platforms: ['INSTAGRAM'] } },
    ]);
    expect((await svc.call('GET', '/api/v1/invitations', { token: tokens.VIEWER })).status).toBe(200);
    // Read fresh on every request: the same token shows them at once.
    const me = await svc.call<{ permissions: unknown }>('GET', '/api/v1/me', { token: tokens.VIEWER });
    expect(me.body.permissions).toEqual({ 'invitations:read': 1, 'posts:update': { platforms: ['INSTAGRAM'] } });
    expect((await put('ADMIN', 'MANAGER', [{ resource: 'users', action: 'read', conditions: { ownOnly: true } }])).status).toBe(200);
    const list = await svc.call<{ items: { id: string }[] }>('GET', '/api/v1/users', { token: tokens.MANAGER });
    expect(list.body.items.map((u) => u.id)).toEqual([ids.MANAGER]);
    expect((await svc.call('GET', `/api/v1/users/${ids.VIEWER}`, { token: tokens.MANAGER })).status).toBe(404);
    expect((await svc.call('GET', `/api/v1/users/${ids.MANAGER}`, { token: tokens.MANAGER })).status).toBe(200);
    // Remove: the owner denies the ADMIN user updates.
    expect((await put('OWNER', 'ADMIN', [{ resource: 'users', action: 'update', conditions: { deny: true } }])).status).toBe(200);
    const denied = await svc.call<Problem>('PATCH', `/api/v1/users/${ids.VIEWER}`, { token: tokens.ADMIN, body: { isActive: true } });
    expect([denied.status, denied.body.code]).toEqual([403, 'AUTH.FORBIDDEN']);

    // No escalation, no self-service, no nonsense.
    const escalate = await put('ADMIN', 'VIEWER', [{ resource: 'workspace', action: 'billing' }]);
    expect([escalate.status, escalate.body.code]).toEqual([403, 'AUTH.ROLE_FORBIDDEN']);
    expect((await put('ADMIN', 'ADMIN', [])).status).toBe(403);
    const badAction = await put('OWNER', 'VIEWER', [{ resource: 'posts', action: 'fly' }]);
    expect([badAction.status, badAction.body.errors?.[0].field]).toEqual([400, 'permissions.0.action']);
    const badResource = await put('OWNER', 'VIEWER', [{ resource: 'nukes', action: 'read', extra: 1 }]);
    expect(badResource.status).toBe(400);
    expect(badResource.body.errors!.map((e) => e.field).sort()).toEqual(['permissions.0.extra', 'permissions.0.resource']);
    const dup = await put('OWNER', 'VIEWER', [{ resource: 'posts', action: 'read' }, { resource: 'posts', action: 'read' }]);
    expect([dup.status, dup.body.errors?.[0].field]).toEqual([400, 'permissions.1']);

    // Other services read overrides from the token: a fresh token carries them in compact form.
    const address = (await svc.db.query(`select email from users where id = $1`, [ids.VIEWER])).rows[0].email as string;
    const login = await svc.call<SignedIn>('POST', '/api/v1/auth/login', { body: { email: address, password: PASSWORD }, headers: { 'x-forwarded-for': '10.1.0.2' } });
    expect(login.status).toBe(200);
    secrets.add(login.body.accessToken);
    secrets.add(login.body.refreshToken);
    expect((jwt.decode(login.body.accessToken) as jwt.JwtPayload).perms).toEqual({ 'invitations:read': 1, 'posts:update': { platforms: ['INSTAGRAM'] } });
    const listed = await svc.call<{ items: unknown[] }>('GET', `/api/v1/users/${ids.VIEWER}/permissions`, { token: tokens.OWNER });
    expect(listed.body.items).toHaveLength(2);

    for (const who of ['VIEWER', 'MANAGER', 'ADMIN'] as Role[]) expect((await put('OWNER', who, [])).status).toBe(200);
    expect((await svc.db.query(`select count(*)::int as n from user_permissions`)).rows[0].n).toBe(0);
  });

  it('validates and merges workspace settings, and emits workspace.updated', async () => {
    const bad = await svc.call<Problem>('PATCH', '/api/v1/workspace', {
      token: tokens.ADMIN,
      body: { settings: { timezone: 'Mars/Olympus_Mons', businessHours: { days: ['mon'], start: '25:00', end: '17:00' }, slaTargets: { URGENT: 0 } }, branding: { primaryColor: 'red' } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors!.map((e) => e.field).sort()).toEqual(['branding.primaryColor', 'settings.businessHours.start', 'settings.slaTargets.URGENT', 'settings.timezone']);

    const ok = await svc.call<{ settings: { timezone: string; slaTargets: Record<string, number> }; branding: Record<string, string> }>('PATCH', '/api/v1/workspace', {
      token: tokens.ADMIN,
      body: { settings: { timezone: 'America/Argentina/Buenos_Aires', slaTargets: { URGENT: 15 } }, branding: { primaryColor: '#112233' } },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.settings.timezone).toBe('America/Argentina/Buenos_Aires');
    expect(ok.body.settings.slaTargets).toEqual({ LOW: 1440, MEDIUM: 480, HIGH: 120, URGENT: 15 });
    expect(ok.body.branding).toEqual({ primaryColor: '#112233' });
    const { rows } = await svc.db.query(`select envelope->'data'->'changed' as changed from outbox where topic = 'workspace.updated' and key = $1 and envelope->'data'->'changed' ? 'settings'`, [owner.workspace.id]);
    expect(rows).toHaveLength(1);
  });

  it('enforces the plan’s users limit on invitation and on acceptance with a problem naming the limit', async () => {
    const free = await register(svc, { workspaceName: 'Small Team' });
    secrets.add(free.accessToken);
    secrets.add(free.refreshToken);
    const first = await invite(free.accessToken, email('a'), 'EDITOR');
    const second = await invite(free.accessToken, email('b'), 'VIEWER');
    expect([first.status, second.status]).toEqual([201, 201]);
    const third = await invite(free.accessToken, email('c'), 'VIEWER');
    expect(third.status).toBe(422);
    expect(third.headers.get('content-type')).toContain('application/problem+json');
    expect(third.body).toMatchObject({ code: 'AUTH.PLAN_LIMIT_REACHED', limit: 'users', max: 3, plan: 'FREE' });

    const pending = await svc.call<{ items: { email: string }[] }>('GET', '/api/v1/invitations', { token: free.accessToken });
    expect(pending.body.items).toHaveLength(2);
    expect(pending.body.items[0]).not.toHaveProperty('tokenHash');

    // Withdrawing an invitation frees its seat, and its token stops working.
    const spare = await invite(free.accessToken, email('d'), 'VIEWER');
    expect(spare.status).toBe(422);
    expect((await svc.call('DELETE', `/api/v1/invitations/${second.body.invitation.id}`, { token: owner.accessToken })).status).toBe(404); // another workspace's
    expect((await svc.call('DELETE', `/api/v1/invitations/${second.body.invitation.id}`, { token: free.accessToken })).status).toBe(204);
    expect((await accept(second.body.token)).status).toBe(404);
    const replacement = await invite(free.accessToken, email('e'), 'VIEWER');
    expect(replacement.status).toBe(201);

    expect((await accept(first.body.token)).status).toBe(201);
    expect((await accept(first.body.token)).status).toBe(404); // used once only
    expect((await accept('x'.repeat(43))).status).toBe(404);
    const weak = await accept(replacement.body.token, 'short');
    expect([weak.status, weak.body.errors?.[0].field]).toEqual([400, 'password']);
    // The workspace's limit is lowered (a downgrade): acceptance is refused too.
    await svc.db.query(`update workspaces set limits = jsonb_set(limits, '{users}', '2') where id = $1`, [free.workspace.id]);
    const over = await accept(replacement.body.token);
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'AUTH.PLAN_LIMIT_REACHED', limit: 'users', max: 2 });
  });

  it('transfers ownership: the new owner is OWNER, the old one ADMIN', async () => {
    const res = await svc.call('POST', '/api/v1/workspace/transfer-ownership', { token: tokens.OWNER, body: { userId: ids.ADMIN } });
    expect(res.status).toBe(204);
    const me = await svc.call<{ user: { role: string } }>('GET', '/api/v1/me', { token: tokens.ADMIN });
    expect(me.body.user.role).toBe('OWNER');
    const formerOwner = await svc.call<{ user: { role: string } }>('GET', '/api/v1/me', { token: tokens.OWNER });
    expect(formerOwner.body.user.role).toBe('ADMIN');
    // At auth the role is read fresh: the former owner's token no longer transfers anything.
    expect((await svc.call('POST', '/api/v1/workspace/transfer-ownership', { token: tokens.OWNER, body: { userId: ids.OWNER } })).status).toBe(403);
  });

  it('keeps no password or token in any table, and emits the expected events through the outbox', async () => {
    const tables = await dumpDatabase(svc.db);
    expect([...tables.keys()]).toEqual(expect.arrayContaining(['users', 'workspaces', 'user_permissions', 'sessions', 'refresh_tokens', 'invitations', 'login_throttles', 'outbox']));
    expect(secrets.size).toBeGreaterThan(20);
    for (const [table, text] of tables) {
      for (const secret of secrets) {
        if (text.includes(secret)) throw new Error(`table ${table} contains a secret (${secret.slice(0, 6)}…)`);
      }
    }
    const hashes = await svc.db.query<{ password: string }>(`select password from users`);
    expect(hashes.rows.every((r) => /^\$2[aby]\$12\$/.test(r.password))).toBe(true);
    const outbox = tables.get('outbox')!;
    for (const hash of hashes.rows) expect(outbox.includes(hash.password)).toBe(false);
    const { rows } = await svc.db.query<{ topic: string }>(`select distinct topic from outbox order by topic`);
    expect(rows.map((r) => r.topic)).toEqual(
      expect.arrayContaining(['audit.recorded', 'user.deactivated', 'user.invited', 'user.joined', 'user.role_changed', 'workspace.created', 'workspace.updated']),
    );
    const audit = await svc.db.query<{ action: string }>(`select distinct envelope->'data'->>'action' as action from outbox where topic = 'audit.recorded'`);
    expect(audit.rows.map((r) => r.action)).toEqual(expect.arrayContaining(['auth.login', 'auth.login_failed', 'auth.sessions_revoked', 'user.removed', 'user.permissions_changed']));
    // Nor in the service's log lines.
    const logs = svc.proc.lines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(logs.includes(secret)).toBe(false);
  });
});
