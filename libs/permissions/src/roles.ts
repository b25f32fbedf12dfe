/** Workspace roles, highest first. The order is the hierarchy: a role can do what every lower role can. */
export const ROLES = ['OWNER', 'ADMIN', 'MANAGER', 'EDITOR', 'VIEWER'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { OWNER: 5, ADMIN: 4, MANAGER: 3, EDITOR: 2, VIEWER: 1 };

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleRank(role: Role): number {
  return RANK[role];
}

/** True when `role` is `min` or above it. */
export function atLeast(role: Role, min: Role): boolean {
  return RANK[role] >= RANK[min];
}

/** True when `a` is strictly above `b` (a manager of b). */
export function outranks(a: Role, b: Role): boolean {
  return RANK[a] > RANK[b];
}
