/** Subscription plans, cheapest first. */
export const PLANS = ['FREE', 'STARTER', 'PROFESSIONAL', 'ENTERPRISE'] as const;
export type Plan = (typeof PLANS)[number];

/** Usage limits of a workspace; `null` means unlimited. Stored per workspace in `workspaces.limits`. */
export interface WorkspaceLimits {
  /** Active members, the owner included. */
  users: number | null;
  socialAccounts: number | null;
  scheduledPostsPerMonth: number | null;
  aiCreditsPerMonth: number | null;
}

/**
 * The limits each plan starts with. A workspace keeps its own copy (so a negotiated deal can
 * differ from the table); changing plan copies the new row.
 *
 * | plan         | users | social accounts | scheduled posts / month | AI credits / month |
 * |--------------|-------|-----------------|-------------------------|--------------------|
 * | FREE         | 3     | 3               | 30                      | 50                 |
 * | STARTER      | 10    | 10              | 300                     | 500                |
 * | PROFESSIONAL | 25    | 25              | 2000                    | 5000               |
 * | ENTERPRISE   | ∞     | ∞               | ∞                       | 50000              |
 */
export const PLAN_LIMITS: Record<Plan, WorkspaceLimits> = {
  FREE: { users: 3, socialAccounts: 3, scheduledPostsPerMonth: 30, aiCreditsPerMonth: 50 },
  STARTER: { users: 10, socialAccounts: 10, scheduledPostsPerMonth: 300, aiCreditsPerMonth: 500 },
  PROFESSIONAL: { users: 25, socialAccounts: 25, scheduledPostsPerMonth: 2000, aiCreditsPerMonth: 5000 },
  ENTERPRISE: { users: null, socialAccounts: null, scheduledPostsPerMonth: null, aiCreditsPerMonth: 50000 },
};
