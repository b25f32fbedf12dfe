import type { PermissionConditions, PermissionOverride } from './evaluate';

/**
 * Overrides as carried in the access token's `perms` claim, keyed `resource:action`:
 * `0` denies, `1` grants without conditions, an object grants with those narrowing conditions.
 * Example: `{ "posts:update": { "platforms": ["INSTAGRAM"] }, "users:delete": 0, "ai:create": 1 }`.
 */
export type CompactPermissions = Record<string, 0 | 1 | Omit<PermissionConditions, 'deny'>>;

export function encodePermissions(overrides: readonly PermissionOverride[]): CompactPermissions | undefined {
  if (!overrides.length) return undefined;
  const out: CompactPermissions = {};
  for (const o of overrides) {
    const key = `${o.resource}:${o.action}`;
    const c = o.conditions;
    if (c?.deny === true) out[key] = 0;
    else {
      const grant: Omit<PermissionConditions, 'deny'> = {};
      if (Array.isArray(c?.platforms)) grant.platforms = c.platforms;
      if (c?.ownOnly === true) grant.ownOnly = true;
      out[key] = Object.keys(grant).length ? grant : 1;
    }
  }
  return out;
}

/** The inverse of {@link encodePermissions}; ignores anything malformed (it grants nothing). */
export function decodePermissions(perms: unknown): PermissionOverride[] {
  if (typeof perms !== 'object' || perms === null || Array.isArray(perms)) return [];
  const out: PermissionOverride[] = [];
  for (const [key, value] of Object.entries(perms as Record<string, unknown>)) {
    const i = key.indexOf(':');
    if (i < 1 || i === key.length - 1) continue;
    const resource = key.slice(0, i);
    const action = key.slice(i + 1);
    if (value === 0) out.push({ resource, action, conditions: { deny: true } });
    else if (value === 1) out.push({ resource, action, conditions: null });
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      const conditions: PermissionConditions = {};
      if (v.platforms !== undefined) {
        if (!Array.isArray(v.platforms) || !v.platforms.every((p) => typeof p === 'string')) continue;
        conditions.platforms = v.platforms as string[];
      }
      if (v.ownOnly === true) conditions.ownOnly = true;
      out.push({ resource, action, conditions });
    }
  }
  return out;
}
