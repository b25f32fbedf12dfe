import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { PLAN_LIMITS, PLANS, type Plan, type WorkspaceLimits } from '@lib/contracts';
import type { Role } from '@lib/permissions';
import { WorkspaceMemberRow } from './workspace-member.entity';
import { WorkspaceProfileRow } from './workspace-profile.entity';

export type { Plan } from '@lib/contracts';

/** What publishing knows of a workspace, projected from auth's workspace.* events. */
export interface WorkspaceProfile {
  workspaceId: string;
  plan: Plan;
  /** IANA time zone from the workspace settings; 'UTC' when none was set. */
  timeZone: string;
  limits: WorkspaceLimits;
  /** Every new post needs approval before it is scheduled (the workspace's `defaults.requireApproval`). */
  requireApproval: boolean;
}

export interface WorkspaceMember {
  userId: string;
  role: Role;
  isActive: boolean;
}

/** Read side of the workspace projection (plan, limits, time zone, members). */
@Injectable()
export class WorkspaceDirectory {
  constructor(private readonly em: EntityManager) {}

  /** The workspace's profile, or null when publishing has not heard of it yet. */
  async profile(workspaceId: string, em: EntityManager = this.em.fork()): Promise<WorkspaceProfile | null> {
    const row = await em.findOne(WorkspaceProfileRow, { workspaceId });
    return row ? toProfile(row) : null;
  }

  /** The workspace's time zone ('UTC' when unknown). */
  async timeZone(workspaceId: string): Promise<string> {
    return (await this.profile(workspaceId))?.timeZone ?? 'UTC';
  }

  /** Active members holding one of `roles` (all active members when roles is empty). */
  async members(workspaceId: string, roles: readonly Role[] = []): Promise<WorkspaceMember[]> {
    const rows = await this.em.fork().find(
      WorkspaceMemberRow,
      { workspaceId, isActive: true, ...(roles.length ? { role: { $in: [...roles] } } : {}) },
      { orderBy: { userId: 'asc' } },
    );
    return rows.map((r) => ({ userId: r.userId, role: r.role, isActive: r.isActive }));
  }

  /** One member, active or not, or null when unknown. */
  async member(workspaceId: string, userId: string): Promise<WorkspaceMember | null> {
    const r = await this.em.fork().findOne(WorkspaceMemberRow, { workspaceId, userId });
    return r ? { userId: r.userId, role: r.role, isActive: r.isActive } : null;
  }
}

export function toProfile(row: WorkspaceProfileRow): WorkspaceProfile {
  const plan: Plan = (PLANS as readonly string[]).includes(row.plan) ? row.plan : 'FREE';
  // Rows written before limits travelled with the events fall back to the plan's table row.
  const limits = { ...PLAN_LIMITS[plan], ...(row.limits ?? {}) };
  return { workspaceId: row.workspaceId, plan, timeZone: row.timeZone || 'UTC', limits, requireApproval: row.requireApproval === true };
}
