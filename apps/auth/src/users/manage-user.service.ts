import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError, TOPICS } from '@lib/contracts';
import { OutboxWriter } from '@lib/messaging';
import type { Role } from '@lib/permissions';
import { AuditTrail, changedFields } from '../common/audit-trail';
import { AuthErrors } from '../common/auth.errors';
import type { Caller } from '../common/caller';
import type { ClientInfo } from '../common/client-info';
import { Clock } from '../common/clock';
import { Session } from '../sessions/session.entity';
import { Workspace } from '../workspaces/workspace.entity';
import { assertCanAssign, assertCanManage } from './member-policy';
import { assertCoversMember, type Grant } from './row-conditions';
import { User } from './user.entity';
import { userNotFound } from './users-query.service';
import { toUserResponse, type UserResponse } from './users.mapper';

export interface UpdateUserInput {
  role?: Role;
  isActive?: boolean;
}

/** Changes a member's role, (de)activates them, or removes them, with the events of each. */
@Injectable()
export class ManageUserService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly outbox: OutboxWriter,
    private readonly audit: AuditTrail,
  ) {}

  async update(caller: Caller, grant: Grant, id: string, input: UpdateUserInput, client: ClientInfo): Promise<UserResponse> {
    return this.em.fork().transactional(async (em) => {
      const user = await em.getRepository(User).findInWorkspace(caller.workspaceId, id);
      if (!user) throw userNotFound();
      assertCoversMember(grant, caller, user.id);
      assertCanManage(caller, user);
      const actor = { type: 'user', id: caller.userId } as const;
      const opts = { subject: user.id, workspaceId: caller.workspaceId, actor };
      const before = { role: user.role, isActive: user.isActive };
      if (input.role !== undefined && input.role !== user.role) {
        assertCanAssign(caller, input.role);
        this.outbox.stage(em, TOPICS.userRoleChanged, { userId: user.id, from: user.role, to: input.role }, opts);
        user.role = input.role;
      }
      if (input.isActive === false && user.isActive) {
        user.isActive = false;
        await this.revokeSessions(em, caller, user, 'deactivated', client);
        this.outbox.stage(em, TOPICS.userDeactivated, { userId: user.id }, opts);
      } else if (input.isActive === true && !user.isActive) {
        const workspace = await em.findOneOrFail(Workspace, { id: caller.workspaceId });
        await assertSeatAvailable(em, workspace, 0);
        user.isActive = true;
      }
      const after = { role: user.role, isActive: user.isActive };
      const diff = changedFields(before, after);
      if (diff) {
        this.audit.byCaller(em, caller, client, { action: 'user.updated', resourceType: 'user', resourceId: user.id, details: diff });
      }
      user.updatedAt = this.clock.now();
      await em.flush();
      return toUserResponse(user);
    });
  }

  /** Removes a member for good: their sessions and permission overrides go with them. */
  async remove(caller: Caller, grant: Grant, id: string, client: ClientInfo): Promise<void> {
    await this.em.fork().transactional(async (em) => {
      const user = await em.getRepository(User).findInWorkspace(caller.workspaceId, id);
      if (!user) throw userNotFound();
      assertCoversMember(grant, caller, user.id);
      assertCanManage(caller, user);
      await this.revokeSessions(em, caller, user, 'removed', client);
      this.outbox.stage(em, TOPICS.userDeactivated, { userId: user.id }, { subject: user.id, workspaceId: caller.workspaceId, actor: { type: 'user', id: caller.userId } });
      this.audit.byCaller(em, caller, client, { action: 'user.removed', resourceType: 'user', resourceId: user.id, details: { role: user.role } });
      em.remove(user);
      await em.flush();
    });
  }

  private async revokeSessions(em: EntityManager, caller: Caller, user: User, reason: string, client: ClientInfo): Promise<void> {
    const revoked = await em.nativeUpdate(Session, { user: user.id, revokedAt: null }, { revokedAt: this.clock.now(), revokedReason: reason });
    this.audit.byCaller(em, caller, client, { action: 'auth.sessions_revoked', resourceType: 'user', resourceId: user.id, details: { reason, sessions: revoked } });
  }
}

/**
 * The plan's `users` limit (active members, plus pending invitations when `pending` is given):
 * 422 naming the limit, its maximum and the plan.
 */
export async function assertSeatAvailable(em: EntityManager, workspace: Workspace, pending: number): Promise<void> {
  const max = workspace.limits.users;
  if (max === null) return;
  const used = (await em.getRepository(User).countActive(workspace.id)) + pending;
  if (used >= max) {
    throw new DomainError(AuthErrors.planLimit, `The ${workspace.plan} plan allows ${max} users`, { limit: 'users', max, plan: workspace.plan, used });
  }
}
