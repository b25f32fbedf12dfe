import { Injectable } from '@nestjs/common';
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { DomainError, PLAN_LIMITS, TOPICS, type Plan } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import { AuditTrail, changedFields } from '../common/audit-trail';
import { AuthErrors, fieldError } from '../common/auth.errors';
import type { Caller } from '../common/caller';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock';
import { User } from '../users/user.entity';
import { userNotFound } from '../users/users-query.service';
import type { UpdateWorkspaceRequest } from './dto/workspace.requests';
import { Workspace } from './workspace.entity';
import type { WorkspaceSettings } from './workspace-settings';
import { toWorkspaceResponse, type WorkspaceResponse } from './workspaces.mapper';

/** The caller's own workspace: read, change, hand over. */
@Injectable()
export class WorkspaceService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
  ) {}

  async get(caller: Caller): Promise<WorkspaceResponse> {
    return toWorkspaceResponse(await this.em.fork().findOneOrFail(Workspace, { id: caller.workspaceId }));
  }

  async update(caller: Caller, input: UpdateWorkspaceRequest, client: ClientInfo): Promise<WorkspaceResponse> {
    const em = this.em.fork();
    const ws = await em.findOneOrFail(Workspace, { id: caller.workspaceId });
    const before = { name: ws.name, settings: ws.settings, branding: ws.branding } as Record<string, unknown>;
    const changed: Record<string, unknown> = {};
    if (input.name !== undefined && input.name !== ws.name) ws.name = changed.name = input.name;
    if (input.settings) {
      const s = input.settings;
      const next: WorkspaceSettings = {
        timezone: s.timezone ?? ws.settings.timezone,
        businessHours: s.businessHours ? { days: s.businessHours.days, start: s.businessHours.start, end: s.businessHours.end } : ws.settings.businessHours,
        slaTargets: { ...ws.settings.slaTargets, ...definedOnly(s.slaTargets) },
        defaults: { ...ws.settings.defaults, ...definedOnly(s.defaults) },
      };
      if (next.businessHours.end <= next.businessHours.start) {
        throw fieldError(AuthErrors.settingsInvalid, 'settings.businessHours.end', 'settings.businessHours.end must be after start');
      }
      ws.settings = changed.settings = next;
    }
    if (input.branding) ws.branding = changed.branding = { ...ws.branding, ...definedOnly(input.branding) };
    if (Object.keys(changed).length) {
      ws.updatedAt = this.clock.now();
      this.outbox.stage(em, TOPICS.workspaceUpdated, { workspaceId: ws.id, changed }, { subject: ws.id, workspaceId: ws.id, actor: { type: 'user', id: caller.userId } });
      const diff = changedFields(before, { name: ws.name, settings: ws.settings, branding: ws.branding });
      if (diff) {
        this.audit.byCaller(em, caller, client, { action: 'workspace.updated', resourceType: 'workspace', resourceId: ws.id, details: diff });
      }
      await em.flush();
    }
    return toWorkspaceResponse(ws);
  }

  /**
   * Moves the workspace to another plan: its limits become the plan's row. A plan whose user
   * limit is below the active members is refused (422 naming the limit), so nobody is locked out
   * silently; other services enforce their own limits from the workspace.updated event.
   */
  async changePlan(caller: Caller, plan: Plan, client: ClientInfo): Promise<WorkspaceResponse> {
    return this.em.fork().transactional(async (em) => {
      const ws = await em.findOneOrFail(Workspace, { id: caller.workspaceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (ws.plan === plan) return toWorkspaceResponse(ws);
      const limits = { ...PLAN_LIMITS[plan] };
      const used = await em.count(User, { workspace: ws.id, isActive: true });
      if (limits.users !== null && used > limits.users) {
        throw new DomainError(AuthErrors.planLimit, `The ${plan} plan allows ${limits.users} users and this workspace has ${used} active`, {
          detail: 'Deactivate or remove members first',
          limit: 'users',
          max: limits.users,
          plan,
          used,
        });
      }
      const before = { plan: ws.plan, limits: ws.limits };
      ws.plan = plan;
      ws.limits = limits;
      ws.updatedAt = this.clock.now();
      this.outbox.stage(em, TOPICS.workspaceUpdated, { workspaceId: ws.id, changed: { plan, limits } }, { subject: ws.id, workspaceId: ws.id, actor: { type: 'user', id: caller.userId } });
      this.audit.byCaller(em, caller, client, { action: 'workspace.plan_changed', resourceType: 'workspace', resourceId: ws.id, details: { before, after: { plan, limits } } });
      await em.flush();
      return toWorkspaceResponse(ws);
    });
  }

  /** The owner hands the workspace to an active member and becomes an ADMIN. */
  async transferOwnership(caller: Caller, userId: string): Promise<void> {
    // The matrix gives `workspace:transfer` to the OWNER only; an override cannot make someone else one.
    if (caller.role !== 'OWNER') throw new DomainError(AuthErrors.roleForbidden, 'Only the owner can transfer ownership');
    if (userId === caller.userId) throw fieldError(AuthErrors.transferInvalid, 'userId', 'userId must be another member');
    await this.em.fork().transactional(async (em) => {
      const users = em.getRepository(User);
      const target = await users.findInWorkspace(caller.workspaceId, userId);
      if (!target) throw userNotFound();
      if (!target.isActive) throw fieldError(AuthErrors.transferInvalid, 'userId', 'userId must be an active member');
      const owner = await em.findOneOrFail(User, { id: caller.userId, workspace: caller.workspaceId });
      const now = this.clock.now();
      const opts = (subject: string) => ({ subject, workspaceId: caller.workspaceId, actor: { type: 'user', id: caller.userId } as const });
      this.outbox.stage(em, TOPICS.userRoleChanged, { userId: target.id, from: target.role, to: 'OWNER' }, opts(target.id));
      this.outbox.stage(em, TOPICS.userRoleChanged, { userId: owner.id, from: 'OWNER', to: 'ADMIN' }, opts(owner.id));
      target.role = 'OWNER';
      owner.role = 'ADMIN';
      target.updatedAt = owner.updatedAt = now;
      await em.flush();
    });
  }
}

function definedOnly<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
