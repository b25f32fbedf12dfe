import { testSigningKeys, uniqueName, waitFor } from '@lib/testing';
import { emulatedNetworkEnv } from '../../tools/dev/env';
import { startEmulator, type RunningEmulator } from '../../tools/emulators/src';
import { PASSWORD, email, register, startAuth, type AuthService } from '../auth/harness';
import { startPublishing, type Publishing } from '../publishing/harness';

interface Problem {
  code?: string;
  limit?: string;
  max?: number;
  plan?: string;
  errors?: { field: string }[];
}

/**
 * Plan limits and settings across services: auth owns the plan and the settings, publishing
 * learns them from workspace.* events and enforces what it owns (connected accounts, scheduled
 * posts per month, the approval a workspace requires) where those are created. Everything goes through the edge, as a web client's calls would.
 */
describe('plan limits and settings end to end: auth sets them, publishing enforces them', () => {
  const keys = testSigningKeys();
  let x: RunningEmulator;
  let publishing: Publishing;
  let db: Publishing['db'];
  let svc: AuthService;

  beforeAll(async () => {
    x = await startEmulator('twitter');
    publishing = await startPublishing({
      name: 'plan_limits',
      keys,
      env: {
        KAFKA_MAX_WAIT_MS: '10',
        // Its own consumer group: other files' publishing services (some killed on purpose) are not its members.
        KAFKA_GROUP_PREFIX: `${uniqueName('plan_limits')}.`,
        PUBLIC_BASE_URL: 'http://edge.example.test',
        ...emulatedNetworkEnv({ twitter: x.url }),
      },
    });
    db = publishing.db;
    svc = await startAuth({ keys, edgeEnv: { PUBLISHING_URL: publishing.base } });
  });

  afterAll(async () => {
    await svc?.stop();
    await publishing?.stop();
    await x?.stop();
  });

  async function profile(workspaceId: string): Promise<{ plan: string; limits: Record<string, number | null> } | undefined> {
    return (await db.query('select plan, limits from workspace_profiles where "workspaceId" = $1', [workspaceId])).rows[0];
  }

  /** OAuth through the edge: start, the emulator's consent page (a new X user each time), the callback. */
  async function connectX(token: string): Promise<{ status: number; body: Problem & { account?: { id: string } } }> {
    const start = await svc.call<{ authorizationUrl: string }>('POST', '/api/v1/social-accounts/oauth/start', { token, body: { platform: 'TWITTER' } });
    expect(start.status).toBe(200);
    const page = await fetch(start.body.authorizationUrl, { redirect: 'manual' });
    const back = new URL(page.headers.get('location')!);
    const res = await svc.call<Problem & { account?: { id: string } }>('GET', `${back.pathname}${back.search}`);
    return { status: res.status, body: res.body };
  }

  it('refuses a fourth account and a 31st scheduled post on FREE, naming the limit; a plan change lifts them', async () => {
    const owner = await register(svc, { workspaceName: 'Plan Co' });
    const token = owner.accessToken;
    await waitFor(async () => (await profile(owner.workspace.id))?.plan === 'FREE', 30_000, 'publishing learns the new workspace');
    expect((await profile(owner.workspace.id))!.limits).toMatchObject({ socialAccounts: 3, scheduledPostsPerMonth: 30 });

    const accounts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await connectX(token);
      expect(ok.status).toBe(200);
      accounts.push(ok.body.account!.id);
    }
    const fourth = await connectX(token);
    expect(fourth.status).toBe(422);
    expect(fourth.body).toMatchObject({ code: 'PUBLISHING.PLAN_LIMIT_REACHED', limit: 'socialAccounts', max: 3, plan: 'FREE' });
    expect((await db.query('select count(*)::int as n from social_accounts where "workspaceId" = $1', [owner.workspace.id])).rows[0].n).toBe(3);

    // 30 posts scheduled in one month fill it; the 31st is refused, and stays a draft.
    const at = new Date(Date.now() + 7 * 24 * 3600_000);
    at.setUTCDate(15); // mid-month in any zone: every post lands in the same calendar month
    if (at.getTime() < Date.now() + 3600_000) at.setUTCMonth(at.getUTCMonth() + 1);
    const draft = async (i: number) => {
      const created = await svc.call<{ id: string }>('POST', '/api/v1/posts', { token, body: { content: { text: `Post number ${i}` }, targets: [{ accountId: accounts[0] }] } });
      expect(created.status).toBe(201);
      return created.body.id;
    };
    for (let i = 0; i < 30; i++) {
      const id = await draft(i);
      const scheduled = await svc.call('POST', `/api/v1/posts/${id}/schedule`, { token, body: { scheduledAt: new Date(at.getTime() + i * 60_000).toISOString() } });
      expect(scheduled.status).toBe(200);
    }
    const extra = await draft(30);
    const refused = await svc.call<Problem>('POST', `/api/v1/posts/${extra}/schedule`, { token, body: { scheduledAt: at.toISOString() } });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'PUBLISHING.PLAN_LIMIT_REACHED', limit: 'scheduledPostsPerMonth', max: 30, plan: 'FREE' });
    expect((await svc.call<{ status: string }>('GET', `/api/v1/posts/${extra}`, { token })).body.status).toBe('DRAFT');
    // Moving an already scheduled post within its month does not count it twice.
    const { rows } = await db.query<{ id: string }>(`select id from posts where "workspaceId" = $1 and status = 'SCHEDULED' limit 1`, [owner.workspace.id]);
    expect((await svc.call('POST', `/api/v1/posts/${rows[0].id}/schedule`, { token, body: { scheduledAt: new Date(at.getTime() + 3600_000).toISOString() } })).status).toBe(200);

    // Only the owner changes the plan, to a plan that exists.
    expect((await svc.call<Problem>('PUT', '/api/v1/workspace/plan', { token, body: { plan: 'GOLD' } })).body.errors?.map((e) => e.field)).toEqual(['plan']);
    const changed = await svc.call<{ plan: string; limits: Record<string, number | null> }>('PUT', '/api/v1/workspace/plan', { token, body: { plan: 'STARTER' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ plan: 'STARTER', limits: { socialAccounts: 10, scheduledPostsPerMonth: 300 } });
    await waitFor(async () => (await profile(owner.workspace.id))?.plan === 'STARTER', 30_000, 'publishing learns the plan change');
    expect((await connectX(token)).status).toBe(200);
    expect((await svc.call('POST', `/api/v1/posts/${extra}/schedule`, { token, body: { scheduledAt: at.toISOString() } })).status).toBe(200);
  });

  it('refuses a downgrade below the active members, and lets only the owner change the plan', async () => {
    const owner = await register(svc, { workspaceName: 'Growing Co' });
    expect((await svc.call('PUT', '/api/v1/workspace/plan', { token: owner.accessToken, body: { plan: 'STARTER' } })).status).toBe(200);
    let admin = '';
    for (const [i, role] of (['ADMIN', 'EDITOR', 'VIEWER'] as const).entries()) {
      const invite = await svc.call<{ token: string }>('POST', '/api/v1/invitations', { token: owner.accessToken, body: { email: email(`m${i}`), role } });
      expect(invite.status).toBe(201);
      const joined = await svc.call<{ accessToken: string }>('POST', '/api/v1/invitations/accept', { body: { token: invite.body.token, name: `Member ${i}`, password: PASSWORD } });
      expect(joined.status).toBe(201);
      if (role === 'ADMIN') admin = joined.body.accessToken;
    }
    expect((await svc.call('PUT', '/api/v1/workspace/plan', { token: admin, body: { plan: 'ENTERPRISE' } })).status).toBe(403);
    const down = await svc.call<Problem>('PUT', '/api/v1/workspace/plan', { token: owner.accessToken, body: { plan: 'FREE' } });
    expect(down.status).toBe(422);
    expect(down.body).toMatchObject({ code: 'AUTH.PLAN_LIMIT_REACHED', limit: 'users', max: 3, plan: 'FREE' });
    expect((await svc.call<{ plan: string }>('GET', '/api/v1/workspace', { token: owner.accessToken })).body.plan).toBe('STARTER');
    // Publishing keeps the members and their roles too (approvers by role need them).
    const roles = async () =>
      (await db.query<{ role: string }>('select role from workspace_members where "workspaceId" = $1 and "isActive" order by role', [owner.workspace.id])).rows.map((r) => r.role);
    await waitFor(async () => (await roles()).length === 4, 30_000, 'publishing learns the members');
    expect(await roles()).toEqual(['ADMIN', 'EDITOR', 'OWNER', 'VIEWER']);
  });

  it("holds every post for approval while the workspace setting requireApproval is on, and not once it's off", async () => {
    const owner = await register(svc, { workspaceName: 'Careful Co' });
    const invite = await svc.call<{ token: string }>('POST', '/api/v1/invitations', { token: owner.accessToken, body: { email: email('mgr'), role: 'MANAGER' } });
    const manager = await svc.call<{ accessToken: string; user: { id: string } }>('POST', '/api/v1/invitations/accept', { body: { token: invite.body.token, name: 'Max Manager', password: PASSWORD } });
    expect(manager.status).toBe(201);
    const account = (await connectX(owner.accessToken)).body.account!.id;
    const setting = async (on: boolean) => {
      const res = await svc.call<{ settings: { defaults: { requireApproval: boolean } } }>('PATCH', '/api/v1/workspace', { token: owner.accessToken, body: { settings: { defaults: { requireApproval: on } } } });
      expect(res.body.settings.defaults.requireApproval).toBe(on);
      const projected = async () => (await db.query('select "requireApproval" from workspace_profiles where "workspaceId" = $1', [owner.workspace.id])).rows[0]?.requireApproval;
      await waitFor(async () => (await projected()) === on, 30_000, `publishing learns requireApproval=${on}`);
    };
    const token = manager.body.accessToken;
    const draft = async (text: string) =>
      (await svc.call<{ id: string }>('POST', '/api/v1/posts', { token, body: { content: { text }, targets: [{ accountId: account }], scheduledAt: new Date(Date.now() + 86_400_000).toISOString() } })).body.id;

    await setting(true);
    // A manager may publish, but the setting holds even their post: no workflow of the workspace's own is needed.
    const held = await draft('Needs a second pair of eyes');
    const direct = await svc.call<Problem & { workflowId?: string }>('POST', `/api/v1/posts/${held}/schedule`, { token, body: {} });
    expect(direct.status).toBe(409);
    expect(direct.body).toMatchObject({ code: 'PUBLISHING.APPROVAL_REQUIRED_CONFLICT', workflowId: '00000000-0000-0000-0000-000000000000' });
    const submitted = await svc.call<{ post: { status: string }; approvals: { id: string; approverId: string }[] }>('POST', `/api/v1/posts/${held}/submit`, { token, body: {} });
    expect(submitted.body.post.status).toBe('PENDING_APPROVAL');
    // Anyone at MANAGER or above approves, except the author: here only the owner.
    expect(submitted.body.approvals.map((a) => a.approverId)).toEqual([owner.user.id]);
    const approved = await svc.call<{ post: { status: string } }>('POST', `/api/v1/approvals/${submitted.body.approvals[0].id}/approve`, { token: owner.accessToken, body: {} });
    expect(approved.body.post.status).toBe('SCHEDULED');

    await setting(false);
    const free = await draft('Straight to the calendar');
    expect((await svc.call<{ status: string }>('POST', `/api/v1/posts/${free}/schedule`, { token, body: {} })).body.status).toBe('SCHEDULED');
  });
});
