import { MongoClient } from 'mongodb';
import { testStack, uniqueName, waitFor, testSigningKeys } from '@lib/testing';
import { stopProcess, type Spawned } from '../../tools/dev/processes';
import { FAST_KAFKA, startService } from '../support/services';
import { PASSWORD, email, register, startAuth, type AuthService } from '../auth/harness';

interface Entry {
  action: string;
  userId: string | null;
  userName: string | null;
  userEmail: string | null;
  resourceType: string;
  resourceId: string;
  details: Record<string, unknown>;
  ipAddress: string | null;
  userAgent: string | null;
}

describe('audit trail end to end: a change through the edge lands in the audit log', () => {
  const { mongoUrl } = testStack();
  const keys = testSigningKeys();
  const dbName = uniqueName('audit_e2e');
  const mongo = new MongoClient(mongoUrl);
  let audit: Spawned;
  let svc: AuthService;

  beforeAll(async () => {
    await mongo.connect();
    const started = await startService('audit', { ...FAST_KAFKA, MONGODB_URL: `${mongoUrl.replace(/\/$/, '')}/${dbName}` }, { publicKey: keys.publicKey, health: 'ready' });
    audit = started.proc;
    svc = await startAuth({ keys, edgeEnv: { AUDIT_URL: started.base } });
  });

  afterAll(async () => {
    await svc?.stop();
    if (audit) await stopProcess(audit);
    await mongo.close();
  });

  it('records a role change with the right actor and diff, and no password or token anywhere', async () => {
    const owner = await register(svc, { workspaceName: 'Audited Co', ip: '198.51.100.23' });
    const invite = await svc.call<{ token: string }>('POST', '/api/v1/invitations', { token: owner.accessToken, body: { email: email('editor'), role: 'EDITOR' } });
    expect(invite.status).toBe(201);
    const joined = await svc.call<{ user: { id: string }; accessToken: string; refreshToken: string }>('POST', '/api/v1/invitations/accept', { body: { token: invite.body.token, name: 'Eddie Editor', password: PASSWORD } });
    expect(joined.status).toBe(201);
    const memberId = joined.body.user.id;

    const changed = await svc.call('PATCH', `/api/v1/users/${memberId}`, {
      token: owner.accessToken,
      body: { role: 'MANAGER' },
      headers: { 'x-forwarded-for': '198.51.100.23', 'user-agent': 'e2e-browser/1.0' },
    });
    expect(changed.status).toBe(200);

    let entries: Entry[] = [];
    await waitFor(async () => {
      const res = await svc.call<{ items: Entry[] }>('GET', `/api/v1/audit-logs?resourceType=user&resourceId=${memberId}`, { token: owner.accessToken });
      entries = res.status === 200 ? res.body.items : [];
      return entries.some((e) => e.action === 'user.updated');
    }, 60_000, 'the role change in the audit log');
    const change = entries.find((e) => e.action === 'user.updated')!;
    expect(change).toMatchObject({
      userId: owner.user.id,
      userName: 'Olive Owner',
      userEmail: owner.user.email,
      resourceType: 'user',
      resourceId: memberId,
      details: { before: { role: 'EDITOR' }, after: { role: 'MANAGER' } },
      ipAddress: '198.51.100.23',
      userAgent: 'e2e-browser/1.0',
    });

    // The edge's own record of the request, and the sign-ins.
    await waitFor(async () => {
      const res = await svc.call<{ items: Entry[] }>('GET', '/api/v1/audit-logs?action=users.patch', { token: owner.accessToken });
      return res.status === 200 && res.body.items.some((e) => e.resourceId === memberId && e.userId === owner.user.id);
    }, 30_000, "the edge's audit event");

    // A member below ADMIN cannot read it; the chain verifies.
    expect((await svc.call('GET', '/api/v1/audit-logs', { token: joined.body.accessToken })).status).toBe(403);
    expect((await svc.call('GET', '/api/v1/audit-logs/verify', { token: owner.accessToken })).body).toMatchObject({ valid: true });

    const stored = JSON.stringify(await mongo.db(dbName).collection('audit_logs').find({}).toArray());
    for (const secret of [PASSWORD, owner.accessToken, owner.refreshToken, joined.body.accessToken, joined.body.refreshToken, invite.body.token]) {
      expect(stored.includes(secret)).toBe(false);
    }
  });
});
