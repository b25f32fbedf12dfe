import { randomUUID } from 'node:crypto';
import { callAs, insertAccount, signToken, startPublishing, type Publishing } from './harness';

type Role = 'OWNER' | 'ADMIN' | 'MANAGER' | 'EDITOR' | 'VIEWER';

interface Caller {
  userId: string;
  role: Role;
  workspaceId: string;
  perms?: Record<string, unknown>;
}

interface ApprovalRow {
  id: string;
  postId: string;
  approverId: string;
  level: number;
  status: string;
  comments: string | null;
  open: boolean;
  closedReason: string | null;
}

// Loose view of any answer of the API (problem+json included).
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One workspace with two connected accounts and its members (the projection auth's events feed). */
interface Team {
  ws: string;
  twitter: string;
  linkedin: string;
  admin: Caller;
  editor: Caller;
  manager1: Caller;
  manager2: Caller;
  lead1: Caller;
  lead2: Caller;
  /** An EDITOR named as approver by user id. */
  reviewer: Caller;
}

describe('publishing: approval workflows', () => {
  let svc: Publishing;
  let db: Publishing['db'];
  const future = () => new Date(Date.now() + 24 * 3_600_000).toISOString();

  const call = (who: Caller, method: string, path: string, body?: unknown) =>
    callAs(svc.base, signToken(svc.keys, { sub: who.userId, workspaceId: who.workspaceId, role: who.role, perms: who.perms }))<Body>(method, path, body);

  async function team(): Promise<Team> {
    const ws = randomUUID();
    const member = (role: Role, inDirectory = true): Caller & { inDirectory: boolean } => ({ userId: randomUUID(), role, workspaceId: ws, inDirectory });
    const people = {
      admin: member('ADMIN'),
      editor: member('EDITOR'),
      manager1: member('MANAGER'),
      manager2: member('MANAGER'),
      lead1: member('ADMIN'),
      lead2: member('ADMIN'),
      reviewer: member('EDITOR'),
    };
    for (const p of Object.values(people)) {
      await db.query(`insert into workspace_members ("workspaceId", "userId", role, "isActive", "updatedAt") values ($1, $2, $3, true, now())`, [ws, p.userId, p.role]);
    }
    const account = (platform: string) => insertAccount(db, svc.cipher, { workspaceId: ws, platform });
    return { ws, twitter: await account('TWITTER'), linkedin: await account('LINKEDIN'), ...people };
  }

  async function workflow(t: Team, config: unknown, name = 'Review'): Promise<string> {
    const res = await call(t.admin, 'POST', '/api/v1/workflows', { name, type: 'APPROVAL', config });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  async function draft(t: Team, author: Caller, opts: { accounts?: string[]; scheduledAt?: string; text?: string } = {}): Promise<string> {
    const res = await call(author, 'POST', '/api/v1/posts', {
      content: { text: opts.text ?? 'Our new release is out' },
      targets: (opts.accounts ?? [t.twitter]).map((accountId) => ({ accountId })),
      ...(opts.scheduledAt ? { scheduledAt: opts.scheduledAt } : {}),
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const rowOf = (rows: ApprovalRow[], who: Caller) => rows.find((r) => r.approverId === who.userId)!;
  const status = async (postId: string) => (await db.query<{ status: string }>('select status from posts where id = $1', [postId])).rows[0].status;
  const jobs = async (postId: string) => (await db.query<{ n: number }>('select count(*)::int as n from publish_jobs where "postId" = $1', [postId])).rows[0].n;

  beforeAll(async () => {
    svc = await startPublishing({ name: 'approvals' });
    db = svc.db;
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('validates workflow configs field by field, and manages workflows with the role matrix', async () => {
    const t = await team();
    const before = (await db.query('select count(*)::int as n from workflows')).rows[0].n;
    const bad = await call(t.admin, 'POST', '/api/v1/workflows', {
      name: 'Bad',
      type: 'APPROVAL',
      config: { levels: [{ approvers: { userIds: ['nope'] }, mode: 'SOMETIMES' }, { approvers: {}, mode: 'ALL' }], conditions: { platforms: ['MYSPACE'] } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('COMMON.VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['config.conditions.platforms', 'config.levels.0.approvers.userIds', 'config.levels.0.mode', 'config.levels.1.approvers']);
    const foreignCampaign = await call(t.admin, 'POST', '/api/v1/workflows', { name: 'C', type: 'APPROVAL', config: { levels: [{ approvers: { roles: ['MANAGER'] }, mode: 'ANY' }], conditions: { campaignIds: [randomUUID()] } } });
    expect(foreignCampaign.status).toBe(400);
    expect(foreignCampaign.body.errors.map((e: { field: string }) => e.field)).toEqual(['config.conditions.campaignIds.0']);
    expect((await call(t.admin, 'POST', '/api/v1/workflows', { name: 'T', type: 'NOPE', config: {} })).body.errors.map((e: { field: string }) => e.field)).toEqual(['type']);
    expect((await call(t.manager1, 'POST', '/api/v1/workflows', { name: 'M', type: 'AUTOMATION', config: {} })).status).toBe(403);
    expect((await db.query('select count(*)::int as n from workflows')).rows[0].n).toBe(before);

    const approval = await workflow(t, { levels: [{ approvers: { roles: ['MANAGER'] }, mode: 'ANY' }] }, 'Managers');
    const automation = await call(t.admin, 'POST', '/api/v1/workflows', { name: 'Auto', type: 'AUTOMATION', config: { rules: [{ when: 'dm', then: 'assign' }] } });
    expect(automation.status).toBe(201);
    expect(automation.body).toMatchObject({ type: 'AUTOMATION', isActive: true, config: { rules: [{ when: 'dm', then: 'assign' }] } });

    // Reads for every member, newest first, with filters and an opaque cursor.
    const page1 = await call(t.editor, 'GET', '/api/v1/workflows?limit=1');
    expect(page1.body.items.map((w: Body) => w.id)).toEqual([automation.body.id]);
    const page2 = await call(t.editor, 'GET', `/api/v1/workflows?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((w: Body) => w.id)).toEqual([approval]);
    expect(page2.body.nextCursor).toBeNull();
    expect((await call(t.editor, 'GET', '/api/v1/workflows?type=APPROVAL')).body.items.map((w: Body) => w.id)).toEqual([approval]);
    expect((await call(t.editor, 'GET', '/api/v1/workflows?isActive=maybe')).status).toBe(400);

    // Deactivate, change, fail to change the type, delete; another workspace sees nothing.
    const off = await call(t.admin, 'PATCH', `/api/v1/workflows/${approval}`, { isActive: false });
    expect(off.body.isActive).toBe(false);
    expect((await call(t.editor, 'GET', '/api/v1/workflows?isActive=false')).body.items.map((w: Body) => w.id)).toEqual([approval]);
    const badPatch = await call(t.admin, 'PATCH', `/api/v1/workflows/${approval}`, { config: { levels: [{ approvers: { roles: ['KING'] }, mode: 'ANY' }] }, type: 'CHATBOT' });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.errors.map((e: { field: string }) => e.field)).toEqual(['type']);
    const badConfig = await call(t.admin, 'PATCH', `/api/v1/workflows/${approval}`, { config: { levels: [{ approvers: { roles: ['KING'] }, mode: 'ANY' }] } });
    expect(badConfig.body.errors.map((e: { field: string }) => e.field)).toEqual(['config.levels.0.approvers.roles']);
    const other: Caller = { userId: randomUUID(), role: 'OWNER', workspaceId: randomUUID() };
    expect((await call(other, 'GET', `/api/v1/workflows/${approval}`)).status).toBe(404);
    expect((await call(other, 'PATCH', `/api/v1/workflows/${approval}`, { isActive: true })).status).toBe(404);
    expect((await call(other, 'DELETE', `/api/v1/workflows/${approval}`)).status).toBe(404);
    expect((await call(t.admin, 'DELETE', `/api/v1/workflows/${automation.body.id}`)).status).toBe(204);
    expect((await call(t.admin, 'GET', `/api/v1/workflows/${automation.body.id}`)).body.code).toBe('PUBLISHING.WORKFLOW_NOT_FOUND');
    const audit = await db.query(`select envelope->'data'->>'action' as action from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1 order by seq`, [automation.body.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['workflow.created', 'workflow.deleted']);
  });

  it("requires approval for editors' posts but not for managers', and refuses to schedule around it", async () => {
    const t = await team();
    await workflow(t, { levels: [{ approvers: { userIds: [t.manager1.userId] }, mode: 'ANY' }], conditions: { authorRoles: ['EDITOR'] } });

    const editors = await draft(t, t.editor, { scheduledAt: future() });
    // The manager may publish, but not around the workflow (the author's role comes from the members).
    const schedule = await call(t.manager1, 'POST', `/api/v1/posts/${editors}/schedule`, {});
    expect(schedule.status).toBe(409);
    expect(schedule.body.code).toBe('PUBLISHING.APPROVAL_REQUIRED_CONFLICT');
    expect((await call(t.manager1, 'POST', `/api/v1/posts/${editors}/publish-now`)).body.code).toBe('PUBLISHING.APPROVAL_REQUIRED_CONFLICT');
    expect(await jobs(editors)).toBe(0);

    const submitted = await call(t.editor, 'POST', `/api/v1/posts/${editors}/submit`, { comments: 'Please check the link' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.post.status).toBe('PENDING_APPROVAL');
    expect(submitted.body.review).toMatchObject({ state: 'IN_REVIEW', currentLevel: 1, authorRole: 'EDITOR', comments: 'Please check the link' });
    expect(submitted.body.approvals.map((a: ApprovalRow) => [a.approverId, a.level, a.status])).toEqual([[t.manager1.userId, 1, 'PENDING']]);
    // In review: neither scheduled directly nor submitted twice.
    expect((await call(t.manager1, 'POST', `/api/v1/posts/${editors}/schedule`, {})).body.code).toBe('PUBLISHING.APPROVAL_PENDING_CONFLICT');
    expect((await call(t.editor, 'POST', `/api/v1/posts/${editors}/submit`)).body.code).toBe('PUBLISHING.ILLEGAL_TRANSITION');

    // A manager's own post skips the workflow: APPROVED, then SCHEDULED through the scheduler.
    const managers = await draft(t, t.manager1, { scheduledAt: future() });
    const skipped = await call(t.manager1, 'POST', `/api/v1/posts/${managers}/submit`);
    expect(skipped.status).toBe(200);
    expect(skipped.body).toMatchObject({ review: null, approvals: [], post: { status: 'SCHEDULED' }, scheduling: { scheduled: true } });
    expect(await jobs(managers)).toBe(1);
  });

  it('applies a workflow by network, and approves unmatched posts without scheduling for editors', async () => {
    const t = await team();
    await workflow(t, { levels: [{ approvers: { roles: ['MANAGER'] }, mode: 'ANY' }], conditions: { platforms: ['LINKEDIN'] } });

    const onLinkedIn = await draft(t, t.editor, { accounts: [t.twitter, t.linkedin] });
    const inReview = await call(t.editor, 'POST', `/api/v1/posts/${onLinkedIn}/submit`);
    expect(inReview.body.post.status).toBe('PENDING_APPROVAL');
    expect(inReview.body.approvals.map((a: ApprovalRow) => a.approverId).sort()).toEqual([t.manager1.userId, t.manager2.userId].sort());

    const onX = await draft(t, t.editor, { accounts: [t.twitter], scheduledAt: future() });
    const approved = await call(t.editor, 'POST', `/api/v1/posts/${onX}/submit`);
    expect(approved.body.post.status).toBe('APPROVED');
    // No approver vouched for it, and the editor may not publish: someone who may schedules it.
    expect(approved.body.scheduling).toMatchObject({ scheduled: false, code: 'AUTH.FORBIDDEN' });
    expect(await jobs(onX)).toBe(0);
    const scheduled = await call(t.manager2, 'POST', `/api/v1/posts/${onX}/schedule`, {});
    expect(scheduled.status).toBe(200);
    expect(scheduled.body.status).toBe('SCHEDULED');
  });

  it('runs a two-level chain: ANY at level 1, ALL at level 2, then APPROVED and SCHEDULED', async () => {
    const t = await team();
    const wf = await workflow(t, {
      levels: [
        { approvers: { roles: ['MANAGER'] }, mode: 'ANY' },
        { approvers: { userIds: [t.lead1.userId, t.reviewer.userId] }, mode: 'ALL' },
      ],
    });
    const postId = await draft(t, t.editor, { scheduledAt: future() });
    const submitted = await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`);
    const level1 = submitted.body.approvals as ApprovalRow[];
    expect(level1.map((a) => a.approverId).sort()).toEqual([t.manager1.userId, t.manager2.userId].sort());
    // Editing the workflow now changes nothing for this post: its review keeps the config it was submitted under.
    expect((await call(t.admin, 'PATCH', `/api/v1/workflows/${wf}`, { config: { levels: [{ approvers: { roles: ['ADMIN'] }, mode: 'ANY' }] } })).status).toBe(200);

    const m1Row = rowOf(level1, t.manager1);
    const m2Row = rowOf(level1, t.manager2);
    const notMine = await call(t.lead1, 'POST', `/api/v1/approvals/${m1Row.id}/approve`, {});
    expect(notMine.status).toBe(403);
    expect(notMine.body.code).toBe('PUBLISHING.NOT_APPROVER_FORBIDDEN');
    const stranger: Caller = { userId: t.manager1.userId, role: 'MANAGER', workspaceId: randomUUID() };
    expect((await call(stranger, 'POST', `/api/v1/approvals/${m1Row.id}/approve`, {})).status).toBe(404);
    expect((await call(stranger, 'GET', `/api/v1/approvals/${m1Row.id}`)).status).toBe(404);

    const first = await call(t.manager1, 'POST', `/api/v1/approvals/${m1Row.id}/approve`, { comments: 'Looks good' });
    expect(first.status).toBe(200);
    expect(first.body.approval).toMatchObject({ status: 'APPROVED', comments: 'Looks good', open: false });
    expect(first.body.post.status).toBe('PENDING_APPROVAL');
    expect(first.body.review.currentLevel).toBe(2);
    expect((first.body.opened as ApprovalRow[]).map((a) => [a.approverId, a.level]).sort()).toEqual([[t.lead1.userId, 2], [t.reviewer.userId, 2]].sort());

    // ANY: the other manager's row closed with the level; acting twice is a conflict too.
    const late = await call(t.manager2, 'POST', `/api/v1/approvals/${m2Row.id}/approve`, {});
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('PUBLISHING.APPROVAL_CLOSED_CONFLICT');
    expect((await call(t.manager2, 'GET', `/api/v1/approvals/${m2Row.id}`)).body).toMatchObject({ status: 'PENDING', open: false, closedReason: 'LEVEL_COMPLETED' });
    const twice = await call(t.manager1, 'POST', `/api/v1/approvals/${m1Row.id}/approve`, {});
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('PUBLISHING.APPROVAL_ALREADY_DECIDED_CONFLICT');
    expect((await call(t.manager2, 'GET', '/api/v1/approvals?mine=true&status=PENDING')).body.items).toEqual([]);

    // ALL: one approval is not enough.
    const level2 = first.body.opened as ApprovalRow[];
    const lead = await call(t.lead1, 'POST', `/api/v1/approvals/${rowOf(level2, t.lead1).id}/approve`, {});
    expect(lead.body.post.status).toBe('PENDING_APPROVAL');
    expect(lead.body.opened).toEqual([]);
    expect(await jobs(postId)).toBe(0);

    // The reviewer is an EDITOR named by id: being named is what lets them act.
    const inbox = await call(t.reviewer, 'GET', '/api/v1/approvals?mine=true&status=PENDING');
    expect(inbox.body.items.map((a: ApprovalRow) => [a.postId, a.level])).toEqual([[postId, 2]]);
    const last = await call(t.reviewer, 'POST', `/api/v1/approvals/${inbox.body.items[0].id}/approve`, {});
    expect(last.status).toBe(200);
    expect(last.body.review.state).toBe('APPROVED');
    expect(last.body.scheduling).toMatchObject({ scheduled: true });
    expect(last.body.post.status).toBe('SCHEDULED');
    expect(await status(postId)).toBe('SCHEDULED');
    expect(await jobs(postId)).toBe(1);

    const history = await call(t.editor, 'GET', `/api/v1/posts/${postId}/approvals`);
    expect(history.body.review.levels.map((l: Body) => l.mode)).toEqual(['ANY', 'ALL']);
    expect(history.body.items.map((a: ApprovalRow) => `${a.level}:${a.status}:${a.open}`).sort()).toEqual(['1:APPROVED:false', '1:PENDING:false', '2:APPROVED:false', '2:APPROVED:false']);
    const audit = await db.query(`select envelope->'data'->>'action' as action from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1 order by seq`, [postId]);
    expect(audit.rows.map((r) => r.action)).toEqual(['post.created', 'post.status_changed', 'post.status_changed']);
    const decided = await db.query(`select envelope->'data' as data from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1`, [m1Row.id]);
    expect(decided.rows.map((r) => r.data)).toEqual([expect.objectContaining({ action: 'approval.approved', resourceType: 'approval', userId: t.manager1.userId, details: { postId, level: 1, comments: 'Looks good' } })]);
  });

  it('sends a post rejected at level 2 back to DRAFT with the comment, closing the other rows', async () => {
    const t = await team();
    await workflow(t, {
      levels: [
        { approvers: { userIds: [t.manager1.userId] }, mode: 'ANY' },
        { approvers: { userIds: [t.lead1.userId, t.lead2.userId] }, mode: 'ALL' },
      ],
    });
    const postId = await draft(t, t.editor, { scheduledAt: future() });
    const level1 = (await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`)).body.approvals as ApprovalRow[];
    const level2 = (await call(t.manager1, 'POST', `/api/v1/approvals/${level1[0].id}/approve`, {})).body.opened as ApprovalRow[];

    const noReason = await call(t.lead2, 'POST', `/api/v1/approvals/${rowOf(level2, t.lead2).id}/reject`, { comments: '  ' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['comments']);
    const rejected = await call(t.lead2, 'POST', `/api/v1/approvals/${rowOf(level2, t.lead2).id}/reject`, { comments: 'The price in the text is wrong' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.post.status).toBe('DRAFT');
    expect(rejected.body.review.state).toBe('REJECTED');
    expect(rejected.body.scheduling).toBeNull();

    const late = await call(t.lead1, 'POST', `/api/v1/approvals/${rowOf(level2, t.lead1).id}/approve`, {});
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'PUBLISHING.APPROVAL_CLOSED_CONFLICT', closedReason: 'REJECTED' });
    const post = await call(t.editor, 'GET', `/api/v1/posts/${postId}/approvals`);
    expect(post.body.postStatus).toBe('DRAFT');
    expect(post.body.items.find((a: ApprovalRow) => a.status === 'REJECTED')).toMatchObject({ approverId: t.lead2.userId, level: 2, comments: 'The price in the text is wrong' });
    expect(post.body.items.find((a: ApprovalRow) => a.approverId === t.lead1.userId)).toMatchObject({ status: 'PENDING', open: false, closedReason: 'REJECTED' });
    expect(await jobs(postId)).toBe(0);

    // Fixed and submitted again: a fresh review from level 1; the old rows stay closed.
    expect((await call(t.editor, 'PATCH', `/api/v1/posts/${postId}`, { content: { text: 'Fixed price' } })).status).toBe(200);
    const again = await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`);
    expect(again.body.review).toMatchObject({ state: 'IN_REVIEW', currentLevel: 1 });
    expect((await call(t.lead1, 'GET', '/api/v1/approvals?mine=true&status=PENDING')).body.items).toEqual([]);
    expect((await call(t.manager1, 'GET', '/api/v1/approvals?mine=true&status=PENDING')).body.items.map((a: ApprovalRow) => a.id)).toEqual([again.body.approvals[0].id]);
  });

  it('closes the open approvals when a post in review is taken back to DRAFT', async () => {
    const t = await team();
    await workflow(t, { levels: [{ approvers: { roles: ['MANAGER'] }, mode: 'ALL' }] });
    const postId = await draft(t, t.editor);
    const rows = (await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`)).body.approvals as ApprovalRow[];
    expect((await call(t.manager1, 'POST', `/api/v1/approvals/${rowOf(rows, t.manager1).id}/approve`, {})).status).toBe(200);
    const back = await call(t.editor, 'POST', `/api/v1/posts/${postId}/transitions`, { to: 'DRAFT' });
    expect(back.status).toBe(200);
    expect(back.body.status).toBe('DRAFT');
    const late = await call(t.manager2, 'POST', `/api/v1/approvals/${rowOf(rows, t.manager2).id}/approve`, {});
    expect(late.body).toMatchObject({ code: 'PUBLISHING.APPROVAL_CLOSED_CONFLICT', closedReason: 'WITHDRAWN' });
    const view = await call(t.editor, 'GET', `/api/v1/posts/${postId}/approvals`);
    expect(view.body.review.state).toBe('WITHDRAWN');
    expect(await status(postId)).toBe('DRAFT');
  });

  it('refuses (422, naming the level) a workflow level with nobody but the author, changing nothing', async () => {
    const t = await team();
    await workflow(t, { levels: [{ approvers: { roles: ['MANAGER'] }, mode: 'ANY' }, { approvers: { userIds: [t.editor.userId] }, mode: 'ALL' }] });
    const postId = await draft(t, t.editor);
    const res = await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PUBLISHING.APPROVAL_LEVEL_UNPROCESSABLE', level: 2 });
    expect(await status(postId)).toBe('DRAFT');
    expect((await db.query('select count(*)::int as n from approvals where "postId" = $1', [postId])).rows[0].n).toBe(0);
  });

  it('keeps an approved post APPROVED and says why when the scheduler refuses it', async () => {
    const t = await team();
    await workflow(t, { levels: [{ approvers: { userIds: [t.reviewer.userId] }, mode: 'ANY' }] });
    const postId = await draft(t, t.editor, { scheduledAt: future(), text: 'x'.repeat(400) });
    const [row] = (await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`)).body.approvals as ApprovalRow[];
    const res = await call(t.reviewer, 'POST', `/api/v1/approvals/${row.id}/approve`, {});
    expect(res.status).toBe(200);
    expect(res.body.post.status).toBe('APPROVED');
    expect(res.body.scheduling).toMatchObject({ scheduled: false, code: 'PUBLISHING.CONTENT_UNPROCESSABLE' });
    expect(await status(postId)).toBe('APPROVED');
    expect(await jobs(postId)).toBe(0);
  });

  it('serialises approvers acting at once: one ANY approval wins, two ALL approvals both count', async () => {
    const t = await team();
    await workflow(t, { levels: [{ approvers: { roles: ['MANAGER'] }, mode: 'ANY' }, { approvers: { userIds: [t.lead1.userId, t.lead2.userId] }, mode: 'ALL' }] });
    const postId = await draft(t, t.editor);
    const level1 = (await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`)).body.approvals as ApprovalRow[];
    const race1 = await Promise.all([t.manager1, t.manager2].map((m) => call(m, 'POST', `/api/v1/approvals/${rowOf(level1, m).id}/approve`, {})));
    expect(race1.map((r) => r.status).sort()).toEqual([200, 409]);
    const level2 = race1.find((r) => r.status === 200)!.body.opened as ApprovalRow[];
    expect((await db.query('select count(*)::int as n from approvals where "postId" = $1 and level = 2', [postId])).rows[0].n).toBe(2);

    const race2 = await Promise.all([t.lead1, t.lead2].map((l) => call(l, 'POST', `/api/v1/approvals/${rowOf(level2, l).id}/approve`, {})));
    expect(race2.map((r) => r.status)).toEqual([200, 200]);
    expect(await status(postId)).toBe('APPROVED');
  });

  it("honours a user_permissions row denying posts:approve, even for a named approver", async () => {
    const t = await team();
    await workflow(t, { levels: [{ approvers: { userIds: [t.manager1.userId] }, mode: 'ANY' }] });
    const postId = await draft(t, t.editor);
    const [row] = (await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`)).body.approvals as ApprovalRow[];
    const denied = await call({ ...t.manager1, perms: { 'posts:approve': 0 } }, 'POST', `/api/v1/approvals/${row.id}/approve`, {});
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('AUTH.FORBIDDEN');
    expect(await status(postId)).toBe('PENDING_APPROVAL');
    const viewerCannotSubmit = await call({ ...t.editor, role: 'VIEWER' }, 'POST', `/api/v1/posts/${postId}/submit`);
    expect(viewerCannotSubmit.status).toBe(403);
  });

  it('sends an approved post that failed back to review when its content is edited, but not when only its time changes', async () => {
    const t = await team();
    await workflow(t, { levels: [{ approvers: { roles: ['MANAGER'] }, mode: 'ANY' }] });
    const postId = await draft(t, t.editor, { scheduledAt: future() });
    const rows = (await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`)).body.approvals as ApprovalRow[];
    expect((await call(t.manager1, 'POST', `/api/v1/approvals/${rowOf(rows, t.manager1).id}/approve`, {})).body.post.status).toBe('SCHEDULED');
    // The network refused it (as the publisher leaves a failed post).
    await db.query(`delete from publish_jobs where "postId" = $1`, [postId]);
    await db.query(`update platform_posts set "publishStatus" = 'FAILED', error = 'TWITTER: refused' where "postId" = $1`, [postId]);
    await db.query(`update posts set status = 'FAILED' where id = $1`, [postId]);

    // A new time only: still the approved post, rescheduled as it is.
    const retimed = await call(t.editor, 'PATCH', `/api/v1/posts/${postId}`, { scheduledAt: future() });
    expect([retimed.status, retimed.body.status]).toEqual([200, 'FAILED']);
    // New words: the reviewers haven't seen them, so the post goes back to DRAFT and can't be scheduled around them.
    const edited = await call(t.editor, 'PATCH', `/api/v1/posts/${postId}`, { content: { text: 'Something the managers never read' } });
    expect([edited.status, edited.body.status]).toEqual([200, 'DRAFT']);
    expect((await call(t.manager1, 'POST', `/api/v1/posts/${postId}/schedule`, {})).body.code).toBe('PUBLISHING.APPROVAL_REQUIRED_CONFLICT');
    expect(await jobs(postId)).toBe(0);
    const audit = await db.query(`select envelope->'data'->'details' as d from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1 and envelope->'data'->>'action' = 'post.status_changed'`, [postId]);
    expect(audit.rows.map((r) => [r.d.before.status, r.d.after.status])).toContainEqual(['FAILED', 'DRAFT']);
    expect((await call(t.editor, 'POST', `/api/v1/posts/${postId}/submit`)).body.post.status).toBe('PENDING_APPROVAL');
  });
});
