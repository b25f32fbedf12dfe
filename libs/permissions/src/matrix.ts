import type { Role } from './roles';

/**
 * The default permission matrix: for each resource and action, the lowest role that may do it
 * (every role above it may too). Resources are named after the API resources of the platform.
 *
 * | resource         | create  | read   | update  | delete  | other                                   |
 * |------------------|---------|--------|---------|---------|-----------------------------------------|
 * | workspace        | -       | VIEWER | ADMIN   | OWNER   | transfer: OWNER, billing: OWNER         |
 * | users            | ADMIN   | VIEWER | ADMIN   | ADMIN   |                                         |
 * | invitations      | ADMIN   | ADMIN  | -       | ADMIN   |                                         |
 * | permissions      | -       | ADMIN  | ADMIN   | -       |                                         |
 * | social_accounts  | ADMIN   | VIEWER | ADMIN   | ADMIN   |                                         |
 * | posts            | EDITOR  | VIEWER | EDITOR  | MANAGER | publish: MANAGER, approve: MANAGER      |
 * | media            | EDITOR  | VIEWER | EDITOR  | MANAGER |                                         |
 * | campaigns        | MANAGER | VIEWER | MANAGER | MANAGER |                                         |
 * | conversations    | -       | VIEWER | EDITOR  | MANAGER | reply: EDITOR, assign: MANAGER          |
 * | listening        | MANAGER | VIEWER | MANAGER | MANAGER |                                         |
 * | analytics        | -       | VIEWER | -       | -       | export: MANAGER                         |
 * | workflows        | ADMIN   | VIEWER | ADMIN   | ADMIN   |                                         |
 * | ai               | EDITOR  | VIEWER | -       | -       |                                         |
 * | audit            | -       | ADMIN  | -       | -       |                                         |
 *
 * A `-` means no role has the action by default (only a user_permissions row can grant it, and
 * nobody at all for actions that make no sense). OWNER has every action listed in the matrix.
 */
export const DEFAULT_MATRIX = {
  workspace: { read: 'VIEWER', update: 'ADMIN', delete: 'OWNER', transfer: 'OWNER', billing: 'OWNER' },
  users: { create: 'ADMIN', read: 'VIEWER', update: 'ADMIN', delete: 'ADMIN' },
  invitations: { create: 'ADMIN', read: 'ADMIN', delete: 'ADMIN' },
  permissions: { read: 'ADMIN', update: 'ADMIN' },
  social_accounts: { create: 'ADMIN', read: 'VIEWER', update: 'ADMIN', delete: 'ADMIN' },
  posts: { create: 'EDITOR', read: 'VIEWER', update: 'EDITOR', delete: 'MANAGER', publish: 'MANAGER', approve: 'MANAGER' },
  media: { create: 'EDITOR', read: 'VIEWER', update: 'EDITOR', delete: 'MANAGER' },
  campaigns: { create: 'MANAGER', read: 'VIEWER', update: 'MANAGER', delete: 'MANAGER' },
  conversations: { read: 'VIEWER', update: 'EDITOR', delete: 'MANAGER', reply: 'EDITOR', assign: 'MANAGER' },
  listening: { create: 'MANAGER', read: 'VIEWER', update: 'MANAGER', delete: 'MANAGER' },
  analytics: { read: 'VIEWER', export: 'MANAGER' },
  workflows: { create: 'ADMIN', read: 'VIEWER', update: 'ADMIN', delete: 'ADMIN' },
  ai: { create: 'EDITOR', read: 'VIEWER' },
  audit: { read: 'ADMIN' },
} as const satisfies Record<string, Record<string, Role>>;

export type Resource = keyof typeof DEFAULT_MATRIX;
export type Action<R extends Resource = Resource> = R extends Resource ? keyof (typeof DEFAULT_MATRIX)[R] & string : never;

export const RESOURCES = Object.keys(DEFAULT_MATRIX) as Resource[];

export function isResource(value: unknown): value is Resource {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DEFAULT_MATRIX, value);
}

/** Actions the matrix knows for a resource. */
export function actionsOf(resource: Resource): string[] {
  return Object.keys(DEFAULT_MATRIX[resource]);
}

/** The lowest role the matrix gives `resource:action` to, or null when it is not in the matrix. */
export function minimumRole(resource: string, action: string): Role | null {
  if (!isResource(resource)) return null;
  const row = DEFAULT_MATRIX[resource] as Record<string, Role>;
  return Object.prototype.hasOwnProperty.call(row, action) ? row[action] : null;
}
