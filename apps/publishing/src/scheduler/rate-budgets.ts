import type { EntityManager } from '@mikro-orm/postgresql';
import { PLATFORM_LIMITS, type RateLimit } from '@lib/connectors';
import { PLATFORMS, type Platform } from '@lib/contracts';

/** Sends recorded in one limit's window for one budget key. */
export interface WindowUse {
  /** Sends in the window. */
  sent: number;
  /** The limit-th most recent send in the window (null with fewer sends): when it leaves, a slot frees. */
  nth: Date | null;
}

export type BudgetDecision = { ok: true } | { ok: false; until: Date; reason: string };

/** How soon to look again when this round's own sends filled a window (the next round reads them back). */
const RECHECK_MS = 1_000;

/** The network's limits that every publish spends, of one scope (app-wide or per account). */
export function publishLimits(platform: Platform, scope: RateLimit['scope']): RateLimit[] {
  return PLATFORM_LIMITS[platform].rateLimits.filter((l) => l.publishes && l.scope === scope);
}

function budgetKey(platform: Platform, accountId: string, limit: RateLimit): string {
  return limit.scope === 'app' ? `app:${platform}` : `account:${accountId}`;
}

function useKey(key: string, limit: RateLimit): string {
  return `${key}|${limit.windowMs}|${limit.limit}`;
}

/**
 * Rate budgets of one publishing round: the networks' documented publish limits, app-wide and
 * per account (PLATFORM_LIMITS), against the sends the database has recorded in each window plus
 * the sends this round has already taken. A send over budget is not attempted: it waits until a
 * slot of the window frees, so the network does not have to answer 429.
 *
 * Replicas read the same recorded sends, so they share the budgets. Two replicas taking the last
 * slot at the same instant can overshoot by one round; the network's own 429 and its reset time
 * still cover that.
 */
export class RateBudgets {
  private readonly taken = new Map<string, number>();

  constructor(
    private readonly use: Map<string, WindowUse>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one send for `accountId` on `platform`, or says until when it must wait. */
  take(platform: Platform, accountId: string): BudgetDecision {
    const now = this.now();
    const limits = [...publishLimits(platform, 'app'), ...publishLimits(platform, 'account')];
    let until = 0;
    let reason = '';
    for (const limit of limits) {
      const key = budgetKey(platform, accountId, limit);
      const recorded = this.use.get(useKey(key, limit)) ?? { sent: 0, nth: null };
      if (recorded.sent + (this.taken.get(key) ?? 0) < limit.limit) continue;
      const frees = recorded.sent >= limit.limit && recorded.nth ? recorded.nth.getTime() + limit.windowMs : now + RECHECK_MS;
      if (frees > until) {
        until = frees;
        reason = `${platform}: ${limit.limit} ${limit.what} per ${describeWindow(limit.windowMs)}${limit.scope === 'app' ? ' for the whole app' : ' per account'} reached; waiting for the window to move`;
      }
    }
    if (until > now) return { ok: false, until: new Date(until), reason };
    for (const key of new Set(limits.map((l) => budgetKey(platform, accountId, l)))) this.taken.set(key, (this.taken.get(key) ?? 0) + 1);
    return { ok: true };
  }

  /**
   * Reads the recorded sends (publish_jobs.firstAttemptAt) in every publish window that the
   * accounts of `platformPostIds` are subject to: one grouped query per limit, none for networks
   * without publish limits.
   */
  static async load(em: EntityManager, platformPostIds: string[]): Promise<RateBudgets> {
    const use = new Map<string, WindowUse>();
    if (!platformPostIds.length) return new RateBudgets(use);
    const targets = await em.getConnection().execute<{ accountId: string; platform: Platform }[]>(
      `select distinct "accountId", platform from platform_posts where id = any(?::uuid[])`,
      [`{${platformPostIds.join(',')}}`],
    );
    for (const platform of PLATFORMS) {
      const accounts = targets.filter((t) => t.platform === platform).map((t) => t.accountId);
      if (!accounts.length) continue;
      for (const limit of [...publishLimits(platform, 'app'), ...publishLimits(platform, 'account')]) {
        const app = limit.scope === 'app';
        const rows = await em.getConnection().execute<{ key: string; sent: number; nth: Date | null }[]>(
          `select ${app ? 'pp.platform::text' : 'pp."accountId"::text'} as key, count(*)::int as sent,
                  (array_agg(j."firstAttemptAt" order by j."firstAttemptAt" desc))[?] as nth
             from publish_jobs j join platform_posts pp on pp.id = j."platformPostId"
            where ${app ? 'pp.platform = ?' : 'pp."accountId" = any(?::uuid[])'}
              and j."firstAttemptAt" > now() - make_interval(secs => ?)
            group by 1`,
          [limit.limit, app ? platform : `{${accounts.join(',')}}`, limit.windowMs / 1000],
        );
        for (const r of rows) {
          const key = app ? `app:${platform}` : `account:${r.key}`;
          use.set(useKey(key, limit), { sent: r.sent, nth: r.nth ? new Date(r.nth) : null });
        }
      }
    }
    return new RateBudgets(use);
  }
}

function describeWindow(ms: number): string {
  if (ms % 86_400_000 === 0) return ms === 86_400_000 ? 'day' : `${ms / 86_400_000} days`;
  if (ms % 3_600_000 === 0) return ms === 3_600_000 ? 'hour' : `${ms / 3_600_000} hours`;
  return ms === 60_000 ? 'minute' : `${Math.round(ms / 60_000)} minutes`;
}
