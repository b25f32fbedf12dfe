import { PASSWORD, email, register, startAuth, type AuthService } from '../auth/harness';

describe('Idempotency-Key through the edge', () => {
  let svc: AuthService;

  beforeAll(async () => {
    svc = await startAuth();
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('replays the first answer for the same key and body, and refuses the key with another body', async () => {
    const owner = await register(svc, { workspaceName: 'Idempotent Inc' });
    const invite = await svc.call<{ token: string }>('POST', '/api/v1/invitations', { token: owner.accessToken, body: { email: email('admin'), role: 'ADMIN' } });
    const admin = await svc.call<{ user: { id: string } }>('POST', '/api/v1/invitations/accept', { body: { token: invite.body.token, name: 'Ada Admin', password: PASSWORD } });
    expect(admin.status).toBe(201);

    const transfer = (userId: string, key: string) =>
      svc.call('POST', '/api/v1/workspace/transfer-ownership', { token: owner.accessToken, body: { userId }, headers: { 'idempotency-key': key } });

    const first = await transfer(admin.body.user.id, 'transfer-1');
    expect(first.status).toBe(204);
    // A retry (say, after a dropped connection) is answered from the first result, not run again:
    // run again, it would fail, since the caller is no longer the owner.
    const retry = await transfer(admin.body.user.id, 'transfer-1');
    expect(retry.status).toBe(204);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');

    const reused = await transfer(owner.user.id, 'transfer-1');
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'COMMON.IDEMPOTENCY_KEY_REUSED' });

    const roles = await svc.db.query<{ id: string; role: string }>('select id, role from users where "workspaceId" = $1', [owner.workspace.id]);
    expect(Object.fromEntries(roles.rows.map((r) => [r.id, r.role]))).toEqual({ [admin.body.user.id]: 'OWNER', [owner.user.id]: 'ADMIN' });
  });
});
