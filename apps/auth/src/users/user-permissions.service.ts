import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@lib/contracts';
import { actionsOf, evaluate, isResource, type PermissionConditions, type PermissionOverride } from '@lib/permissions';
import { AuditTrail } from '../common/audit-trail';
import { AuthErrors, fieldError } from '../common/auth.errors';
import type { Caller } from '../common/caller';
import type { ClientInfo } from '../common/client-info';
import type { PermissionRowRequest } from './dto/permissions.requests';
import { assertCanManage } from './member-policy';
import { UserPermission } from './user-permission.entity';
import { User } from './user.entity';
import { userNotFound } from './users-query.service';

export interface PermissionsResponse {
  items: PermissionOverride[];
}

const toOverride = (p: UserPermission): PermissionOverride => ({ resource: p.resource, action: p.action, conditions: p.conditions });

/**
 * A member's overrides of the role matrix. Replacing them is limited like role changes (only
 * members below the caller) and cannot hand out more than the caller has: a grant must name an
 * action the caller is allowed. Other services see the change in the next access token (≤ 15 min);
 * auth applies it at once.
 */
@Injectable()
export class UserPermissionsService {
  constructor(
    private readonly em: EntityManager,
    private readonly audit: AuditTrail,
  ) {}

  async list(caller: Caller, userId: string): Promise<PermissionsResponse> {
    const em = this.em.fork();
    const user = await em.getRepository(User).findInWorkspace(caller.workspaceId, userId);
    if (!user) throw userNotFound();
    const rows = await em.find(UserPermission, { user: user.id }, { orderBy: { resource: 'asc', action: 'asc' } });
    return { items: rows.map(toOverride) };
  }

  async replace(caller: Caller, userId: string, rows: PermissionRowRequest[], client: ClientInfo): Promise<PermissionsResponse> {
    return this.em.fork().transactional(async (em) => {
      const user = await em.getRepository(User).findInWorkspace(caller.workspaceId, userId);
      // Another workspace's member is not found, whatever the body says.
      if (!user) throw userNotFound();
      assertCanManage(caller, user);
      const wanted = rows.map((r, i) => validated(caller, r, i));
      const seen = new Set<string>();
      wanted.forEach((w, i) => {
        const key = `${w.resource}:${w.action}`;
        if (seen.has(key)) throw fieldError(AuthErrors.permissionsInvalid, `permissions.${i}`, `permissions.${i} repeats ${key}`);
        seen.add(key);
      });
      const before = (await em.find(UserPermission, { user: user.id })).map(toOverride);
      await em.nativeDelete(UserPermission, { user: user.id });
      for (const w of wanted) {
        const row = new UserPermission();
        row.user = user;
        row.resource = w.resource;
        row.action = w.action;
        row.conditions = w.conditions;
        em.persist(row);
      }
      this.audit.byCaller(em, caller, client, { action: 'user.permissions_changed', resourceType: 'user', resourceId: user.id, details: { before, after: wanted } });
      await em.flush();
      return { items: wanted };
    });
  }
}

function validated(caller: Caller, r: PermissionRowRequest, i: number): PermissionOverride {
  const field = `permissions.${i}`;
  if (!isResource(r.resource)) throw fieldError(AuthErrors.permissionsInvalid, `${field}.resource`, `${field}.resource is not a resource`);
  const actions = actionsOf(r.resource);
  if (r.action !== '*' && !actions.includes(r.action)) {
    throw fieldError(AuthErrors.permissionsInvalid, `${field}.action`, `${field}.action must be one of ${[...actions, '*'].join(', ')}`);
  }
  const conditions: PermissionConditions | null = r.conditions?.deny
    ? { deny: true }
    : r.conditions && (r.conditions.platforms || r.conditions.ownOnly)
      ? { ...(r.conditions.platforms ? { platforms: r.conditions.platforms } : {}), ...(r.conditions.ownOnly ? { ownOnly: true } : {}) }
      : null;
  if (!conditions?.deny) {
    // No escalation: a grant can only pass on what the caller holds themselves.
    const granted = r.action === '*' ? actions : [r.action];
    const missing = granted.find((a) => !evaluate(caller.subject, r.resource, a).allowed);
    if (missing) throw new DomainError(AuthErrors.roleForbidden, `You cannot grant ${r.resource}:${missing}, which you do not have`, { field });
  }
  return { resource: r.resource, action: r.action, conditions };
}
