import { Injectable } from '@nestjs/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import { DomainError } from '@lib/contracts';
import { toProfile, type WorkspaceProfile } from './workspace-directory';
import { WorkspaceProfileRow } from './workspace-profile.entity';

export const PLAN_LIMIT_REACHED = 'PUBLISHING.PLAN_LIMIT_REACHED';

/**
 * The plan limits publishing owns, enforced where the resource is created: connected social
 * accounts, and scheduled posts per calendar month (in the workspace's time zone).
 *
 * Each check locks the workspace's profile row in the caller's transaction, so two concurrent
 * requests cannot both take the last slot. A workspace publishing has not heard of yet (its
 * workspace.created event still on its way) is not limited: refusing a paying customer on a race
 * is worse than letting one post through early.
 */
@Injectable()
export class PlanLimits {
  /** Before an account becomes active (a new one, or an inactive one reconnected). */
  async assertAccountSlot(em: EntityManager, workspaceId: string): Promise<void> {
    const profile = await this.lock(em, workspaceId);
    const max = profile?.limits.socialAccounts;
    if (!profile || max === null || max === undefined) return;
    const rows = await em.getConnection().execute<{ n: number }[]>(
      `select count(*)::int as n from social_accounts where "workspaceId" = ? and "isActive"`,
      [workspaceId],
      'all',
      em.getTransactionContext(),
    );
    const used = rows[0].n;
    if (used >= max) throw limitReached(profile, 'socialAccounts', max, used, `The ${profile.plan} plan allows ${max} connected social accounts`, 'Disconnect an account or change plan');
  }

  /**
   * Before a post becomes SCHEDULED for `at`: the posts of that calendar month (scheduled, on
   * their way, or published) must stay within the plan. Moving an already scheduled post within
   * its month does not count twice.
   */
  async assertScheduleSlot(em: EntityManager, workspaceId: string, postId: string, at: Date): Promise<void> {
    const profile = await this.lock(em, workspaceId);
    const max = profile?.limits.scheduledPostsPerMonth;
    if (!profile || max === null || max === undefined) return;
    const local = DateTime.fromJSDate(at, { zone: profile.timeZone });
    const zoned = local.isValid ? local : DateTime.fromJSDate(at, { zone: 'UTC' });
    const from = zoned.startOf('month');
    const to = from.plus({ months: 1 });
    const rows = await em.getConnection().execute<{ n: number }[]>(
      `select count(*)::int as n from posts
        where "workspaceId" = ? and id <> ? and status in ('SCHEDULED', 'PUBLISHING', 'PUBLISHED')
          and coalesce("scheduledAt", "publishedAt") >= ? and coalesce("scheduledAt", "publishedAt") < ?`,
      [workspaceId, postId, from.toJSDate(), to.toJSDate()],
      'all',
      em.getTransactionContext(),
    );
    const used = rows[0].n;
    if (used >= max) {
      throw limitReached(profile, 'scheduledPostsPerMonth', max, used, `The ${profile.plan} plan allows ${max} scheduled posts per month`, `${from.toFormat('yyyy-MM')} (${profile.timeZone}) is full; pick another month or change plan`);
    }
  }

  private async lock(em: EntityManager, workspaceId: string): Promise<WorkspaceProfile | null> {
    const rows = await em.getConnection().execute<WorkspaceProfileRow[]>(
      `select * from workspace_profiles where "workspaceId" = ? for update`,
      [workspaceId],
      'all',
      em.getTransactionContext(),
    );
    return rows.length ? toProfile(Object.assign(new WorkspaceProfileRow(), rows[0])) : null;
  }
}

function limitReached(profile: WorkspaceProfile, limit: string, max: number, used: number, title: string, detail: string): DomainError {
  return new DomainError(PLAN_LIMIT_REACHED, title, { detail, limit, max, used, plan: profile.plan });
}
