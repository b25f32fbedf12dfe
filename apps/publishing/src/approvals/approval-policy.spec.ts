import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, PLAN_LIMITS, type Platform } from '@lib/contracts';
import type { Role } from '@lib/permissions';
import { strictMock } from '@lib/testing';
import { Campaign } from '../campaigns/campaign.entity';
import { PlatformPost } from '../posts/platform-post.entity';
import { Post } from '../posts/post.entity';
import type { Actor } from '../posts/posts.service';
import type { WorkspaceDirectory, WorkspaceMember } from '../workspaces/workspace-directory';
import type { ApprovalConfig } from './approval-config';
import { ApprovalPolicy, REQUIRED_APPROVAL_WORKFLOW_ID, workflowApplies, type ApplicableWorkflow } from './approval-policy';
import { Workflow } from './workflow.entity';

const ws = '0193f0a0-0000-7000-8000-000000000001';
const author = '0193f0a0-0000-7000-8000-0000000000a1';
const manager = '0193f0a0-0000-7000-8000-0000000000b1';
const lead = '0193f0a0-0000-7000-8000-0000000000b2';
const campaignId = '0193f0a0-0000-7000-8000-0000000000c1';
const level = (mode: 'ANY' | 'ALL', approvers: ApprovalConfig['levels'][number]['approvers']) => ({ mode, approvers });

/** The post as the policy reads it: its targets' networks, campaign, author and status. */
function post(platforms: Platform[], opts: { campaign?: string; status?: Post['status'] } = {}): Post {
  const targets = platforms.map((platform) => Object.assign(new PlatformPost(), { platform }));
  const campaign = opts.campaign ? Object.assign(new Campaign(), { id: opts.campaign }) : null;
  return Object.assign(Object.create(Post.prototype) as Post, {
    id: '0193f0a0-0000-7000-8000-0000000000d1',
    workspaceId: ws,
    authorId: author,
    status: opts.status ?? 'DRAFT',
    campaign,
    platformPosts: { getItems: () => targets },
  });
}

function workflow(name: string, config: unknown, createdAt = new Date('2026-01-01T00:00:00Z')): Workflow {
  const w = new Workflow();
  w.workspaceId = ws;
  w.name = name;
  w.type = 'APPROVAL';
  w.config = config as Record<string, unknown>;
  w.createdAt = createdAt;
  return w;
}

const actor = (userId: string, role?: Role): Actor => ({ userId, workspaceId: ws, conditions: null, role });

describe('workflowApplies', () => {
  const levels = [level('ANY', { roles: ['MANAGER'] })];
  const facts = { platforms: ['TWITTER', 'LINKEDIN'] as Platform[], campaignId, authorRole: 'EDITOR' as Role };

  it('applies to every post when it sets no conditions', () => {
    expect(workflowApplies({ levels }, { platforms: [], campaignId: null, authorRole: null })).toBe(true);
  });

  it('matches networks by intersection with the post targets', () => {
    expect(workflowApplies({ levels, conditions: { platforms: ['LINKEDIN', 'INSTAGRAM'] } }, facts)).toBe(true);
    expect(workflowApplies({ levels, conditions: { platforms: ['INSTAGRAM'] } }, facts)).toBe(false);
    expect(workflowApplies({ levels, conditions: { platforms: ['INSTAGRAM'] } }, { ...facts, platforms: [] })).toBe(false);
  });

  it("matches the post's campaign, and a post without one never matches a campaign condition", () => {
    expect(workflowApplies({ levels, conditions: { campaignIds: [campaignId] } }, facts)).toBe(true);
    expect(workflowApplies({ levels, conditions: { campaignIds: [campaignId] } }, { ...facts, campaignId: null })).toBe(false);
  });

  it("matches the author's role; an unknown role counts as matching (approval is required, never skipped)", () => {
    expect(workflowApplies({ levels, conditions: { authorRoles: ['EDITOR'] } }, facts)).toBe(true);
    expect(workflowApplies({ levels, conditions: { authorRoles: ['EDITOR'] } }, { ...facts, authorRole: 'MANAGER' })).toBe(false);
    expect(workflowApplies({ levels, conditions: { authorRoles: ['EDITOR'] } }, { ...facts, authorRole: null })).toBe(true);
  });

  it('needs every condition it sets to hold', () => {
    const conditions = { platforms: ['TWITTER'] as Platform[], authorRoles: ['EDITOR'] as Role[] };
    expect(workflowApplies({ levels, conditions }, facts)).toBe(true);
    expect(workflowApplies({ levels, conditions }, { ...facts, authorRole: 'ADMIN' })).toBe(false);
    expect(workflowApplies({ levels, conditions }, { ...facts, platforms: ['LINKEDIN'] })).toBe(false);
  });
});

describe('ApprovalPolicy', () => {
  function setup(opts: { workflows?: Workflow[]; members?: Record<string, WorkspaceMember[]>; member?: WorkspaceMember | null; requireApproval?: boolean } = {}) {
    const find = jest.fn(async () => opts.workflows ?? []);
    const em = strictMock<EntityManager>({ find }, 'em');
    const members = jest.fn(async (_ws: string, roles: readonly Role[] = []) => roles.flatMap((r) => opts.members?.[r] ?? []));
    const member = jest.fn(async () => opts.member ?? null);
    const profile = jest.fn(async () => ({ workspaceId: ws, plan: 'FREE' as const, timeZone: 'UTC', limits: PLAN_LIMITS.FREE, requireApproval: opts.requireApproval ?? false }));
    const directory = strictMock<WorkspaceDirectory>({ members, member, profile }, 'directory');
    return { sut: new ApprovalPolicy(directory), em, find, members, member, profile };
  }

  describe('applicable', () => {
    it("uses the author's own token role and picks the oldest matching active workflow", async () => {
      const editorsOnly = workflow('editors', { levels: [level('ANY', { userIds: [manager] })], conditions: { authorRoles: ['EDITOR'] } }, new Date('2026-01-02T00:00:00Z'));
      const catchAll = workflow('all', { levels: [level('ANY', { userIds: [manager] })] }, new Date('2026-01-03T00:00:00Z'));
      const { sut, em, find } = setup({ workflows: [editorsOnly, catchAll] });

      const match = await sut.applicable(em, actor(author, 'EDITOR'), post(['TWITTER']));

      expect(match).toMatchObject({ workflow: editorsOnly, authorRole: 'EDITOR' });
      expect(find).toHaveBeenCalledWith(Workflow, { workspaceId: ws, type: 'APPROVAL', isActive: true }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    });

    it("lets a manager's post skip an editors-only workflow", async () => {
      const { sut, em } = setup({ workflows: [workflow('editors', { levels: [level('ANY', { userIds: [lead] })], conditions: { authorRoles: ['EDITOR'] } })] });
      expect(await sut.applicable(em, actor(author, 'MANAGER'), post(['TWITTER']))).toBeNull();
    });

    it("asks the workspace directory for the author's role when someone else submits", async () => {
      const { sut, em, member } = setup({
        workflows: [workflow('editors', { levels: [level('ANY', { userIds: [lead] })], conditions: { authorRoles: ['EDITOR'] } })],
        member: { userId: author, role: 'EDITOR', isActive: true },
      });
      const match = await sut.applicable(em, actor(manager, 'MANAGER'), post(['TWITTER']));
      expect(match?.authorRole).toBe('EDITOR');
      expect(member).toHaveBeenCalledWith(ws, author);
    });

    it('matches networks and campaigns from the post', async () => {
      const { sut, em } = setup({ workflows: [workflow('li', { levels: [level('ANY', { userIds: [lead] })], conditions: { platforms: ['LINKEDIN'], campaignIds: [campaignId] } })] });
      expect(await sut.applicable(em, actor(author, 'EDITOR'), post(['TWITTER'], { campaign: campaignId }))).toBeNull();
      expect(await sut.applicable(em, actor(author, 'EDITOR'), post(['TWITTER', 'LINKEDIN'], { campaign: campaignId }))).not.toBeNull();
      expect(await sut.applicable(em, actor(author, 'EDITOR'), post(['LINKEDIN']))).toBeNull();
    });

    it("only checks the workspace setting when the workspace has no active approval workflow and doesn't require approval", async () => {
      const { sut, em, member, profile } = setup();
      expect(await sut.applicable(em, actor(manager, 'MANAGER'), post(['TWITTER']))).toBeNull();
      expect(member).not.toHaveBeenCalled();
      expect(profile).toHaveBeenCalledWith(ws, em);
    });

    it('falls back to the built-in workflow when the workspace requires approval and none of its own applies', async () => {
      const { sut, em } = setup({ requireApproval: true, workflows: [workflow('editors', { levels: [level('ANY', { userIds: [lead] })], conditions: { authorRoles: ['EDITOR'] } })] });
      const match = await sut.applicable(em, actor(author, 'MANAGER'), post(['TWITTER']));
      expect(match).toMatchObject({
        workflow: { id: REQUIRED_APPROVAL_WORKFLOW_ID, workspaceId: ws, name: 'Workspace setting: every post needs approval' },
        config: { levels: [{ mode: 'ANY', approvers: { roles: ['OWNER', 'ADMIN', 'MANAGER'] } }] },
        authorRole: 'MANAGER',
      });
      const none = setup({ requireApproval: true });
      expect((await none.sut.applicable(none.em, actor(author, 'EDITOR'), post(['TWITTER'])))?.workflow.id).toBe(REQUIRED_APPROVAL_WORKFLOW_ID);
    });

    it("prefers the workspace's own workflow to the setting, without reading the setting", async () => {
      const own = workflow('all', { levels: [level('ALL', { userIds: [lead] })] });
      const { sut, em, profile } = setup({ requireApproval: true, workflows: [own] });
      expect((await sut.applicable(em, actor(author, 'EDITOR'), post(['TWITTER'])))?.workflow).toBe(own);
      expect(profile).not.toHaveBeenCalled();
    });

    it('treats a stored config that no longer validates as applying (fail closed)', async () => {
      const broken = workflow('broken', { levels: [] });
      const { sut, em } = setup({ workflows: [broken] });
      expect(await sut.applicable(em, actor(author, 'MANAGER'), post(['TWITTER']))).toEqual({ workflow: broken, config: null, authorRole: 'MANAGER' });
    });
  });

  describe('resolveLevels', () => {
    const match = (config: ApprovalConfig | null): ApplicableWorkflow => ({ workflow: workflow('wf', config ?? {}), config, authorRole: 'EDITOR' });

    it('unites listed users and active members of the listed roles, without duplicates or the author', async () => {
      const { sut, members } = setup({
        members: { MANAGER: [{ userId: manager, role: 'MANAGER', isActive: true }, { userId: author, role: 'MANAGER', isActive: true }], ADMIN: [{ userId: lead, role: 'ADMIN', isActive: true }] },
      });
      const levels = await sut.resolveLevels(ws, match({ levels: [level('ANY', { userIds: [manager, author], roles: ['MANAGER'] }), level('ALL', { roles: ['ADMIN'] })] }), author);
      expect(levels).toEqual([
        { mode: 'ANY', approverIds: [manager] },
        { mode: 'ALL', approverIds: [lead] },
      ]);
      expect(members.mock.calls).toEqual([
        [ws, ['MANAGER']],
        [ws, ['ADMIN']],
      ]);
    });

    it('does not ask the directory for a level named by user ids only', async () => {
      const { sut, members } = setup();
      expect(await sut.resolveLevels(ws, match({ levels: [level('ALL', { userIds: [manager, lead] })] }), author)).toEqual([{ mode: 'ALL', approverIds: [manager, lead] }]);
      expect(members).not.toHaveBeenCalled();
    });

    it('refuses (422) a level that leaves nobody but the author, naming the level', async () => {
      const { sut } = setup({ members: { MANAGER: [{ userId: author, role: 'MANAGER', isActive: true }] } });
      const err = await sut.resolveLevels(ws, match({ levels: [level('ANY', { userIds: [manager] }), level('ANY', { roles: ['MANAGER'] })] }), author).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: 'PUBLISHING.APPROVAL_LEVEL_UNPROCESSABLE', details: { level: 2 } });
    });

    it('tells how to unblock the workspace setting when nobody else may approve', async () => {
      const { sut } = setup({ requireApproval: true });
      const builtIn = await sut.applicable(strictMock<EntityManager>({ find: jest.fn(async () => []) }, 'em'), actor(author, 'OWNER'), post(['TWITTER']));
      const err = await sut.resolveLevels(ws, builtIn!, author).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'PUBLISHING.APPROVAL_LEVEL_UNPROCESSABLE', details: { workflowId: REQUIRED_APPROVAL_WORKFLOW_ID, level: 1 } });
      expect((err as DomainError).details?.detail).toContain('settings.defaults.requireApproval');
    });

    it('refuses (422) a workflow whose stored config is invalid', async () => {
      const { sut } = setup();
      await expect(sut.resolveLevels(ws, match(null), author)).rejects.toMatchObject({ code: 'PUBLISHING.APPROVAL_LEVEL_UNPROCESSABLE' });
    });
  });

  describe('assertMayScheduleDirectly', () => {
    it('refuses a post in review without looking at workflows', async () => {
      const { sut, em, find } = setup();
      await expect(sut.assertMayScheduleDirectly(em, actor(manager, 'MANAGER'), post(['TWITTER'], { status: 'PENDING_APPROVAL' }))).rejects.toMatchObject({ code: 'PUBLISHING.APPROVAL_PENDING_CONFLICT' });
      expect(find).not.toHaveBeenCalled();
    });

    it('refuses a DRAFT a workflow applies to, and lets APPROVED posts and unmatched drafts through', async () => {
      const wf = workflow('all', { levels: [level('ANY', { userIds: [lead] })], conditions: { platforms: ['LINKEDIN'] } });
      const { sut, em, find } = setup({ workflows: [wf] });
      await expect(sut.assertMayScheduleDirectly(em, actor(author, 'EDITOR'), post(['LINKEDIN']))).rejects.toMatchObject({ code: 'PUBLISHING.APPROVAL_REQUIRED_CONFLICT', details: { workflowId: wf.id } });
      await expect(sut.assertMayScheduleDirectly(em, actor(author, 'EDITOR'), post(['TWITTER']))).resolves.toBeUndefined();
      find.mockClear();
      await expect(sut.assertMayScheduleDirectly(em, actor(author, 'EDITOR'), post(['LINKEDIN'], { status: 'APPROVED' }))).resolves.toBeUndefined();
      expect(find).not.toHaveBeenCalled();
    });
  });
});
