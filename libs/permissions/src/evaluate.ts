import { minimumRole } from './matrix';
import { atLeast, type Role } from './roles';

/**
 * Conditions of a user_permissions row. Semantics (see README of this lib):
 * - `deny: true`: the row removes the action, whatever the role gives;
 * - otherwise the row grants the action, and each other condition narrows the grant:
 *   `platforms`: only resources on these networks; `ownOnly`: only resources the user owns.
 */
export interface PermissionConditions {
  deny?: boolean;
  platforms?: string[];
  ownOnly?: boolean;
}

/** One user_permissions row. `action: '*'` matches every action of the resource (an exact row wins). */
export interface PermissionOverride {
  resource: string;
  action: string;
  conditions: PermissionConditions | null;
}

export interface PermissionSubject {
  userId: string;
  role: Role;
  overrides: readonly PermissionOverride[];
}

/** What a resource is, for checking conditions: its networks and its owner. */
export interface ResourceContext {
  platforms?: readonly string[];
  ownerId?: string | null;
}

/** Narrowing conditions only (a grant never carries `deny`). */
export type GrantConditions = Omit<PermissionConditions, 'deny'>;

export type Decision =
  | { allowed: true; source: 'owner' | 'role' | 'override'; conditions: GrantConditions | null }
  | { allowed: false; source: 'role' | 'override' };

function narrowing(conditions: PermissionConditions | null): GrantConditions | null {
  if (!conditions) return null;
  const out: GrantConditions = {};
  if (Array.isArray(conditions.platforms)) out.platforms = [...conditions.platforms];
  if (conditions.ownOnly === true) out.ownOnly = true;
  return Object.keys(out).length ? out : null;
}

function findOverride(overrides: readonly PermissionOverride[], resource: string, action: string): PermissionOverride | undefined {
  return (
    overrides.find((o) => o.resource === resource && o.action === action) ??
    overrides.find((o) => o.resource === resource && o.action === '*')
  );
}

/**
 * Decides whether `subject` may do `action` on `resource`:
 * 1. OWNER may do everything the matrix lists; overrides never lock the owner out.
 * 2. A user_permissions row for the pair (exact action first, then `*`) decides next:
 *    `{deny: true}` refuses; any other row allows, with its remaining conditions attached.
 * 3. Otherwise the default matrix: the role must be at least the action's minimum role.
 * An allowed decision with conditions must be enforced by the caller, with {@link conditionsHold}
 * on one resource or by filtering a list on them.
 */
export function evaluate(subject: PermissionSubject, resource: string, action: string): Decision {
  const min = minimumRole(resource, action);
  if (subject.role === 'OWNER' && min !== null) return { allowed: true, source: 'owner', conditions: null };
  const override = findOverride(subject.overrides, resource, action);
  if (override) {
    if (override.conditions?.deny === true) return { allowed: false, source: 'override' };
    return { allowed: true, source: 'override', conditions: narrowing(override.conditions) };
  }
  if (min !== null && atLeast(subject.role, min)) return { allowed: true, source: 'role', conditions: null };
  return { allowed: false, source: 'role' };
}

/**
 * True when a conditional grant covers this resource. Missing facts count as not satisfied:
 * a platform-restricted grant needs the resource's platforms, an own-only grant its owner.
 */
export function conditionsHold(conditions: GrantConditions | null, userId: string, resource: ResourceContext): boolean {
  if (!conditions) return true;
  if (conditions.platforms) {
    const allowed = new Set(conditions.platforms);
    if (!resource.platforms?.length || !resource.platforms.every((p) => allowed.has(p))) return false;
  }
  if (conditions.ownOnly && (!resource.ownerId || resource.ownerId !== userId)) return false;
  return true;
}

/** evaluate() and, when a resource is given, its conditions. */
export function can(subject: PermissionSubject, resource: string, action: string, target?: ResourceContext): boolean {
  const decision = evaluate(subject, resource, action);
  if (!decision.allowed) return false;
  return target ? conditionsHold(decision.conditions, subject.userId, target) : true;
}
