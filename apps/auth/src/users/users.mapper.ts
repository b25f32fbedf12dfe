import type { Role } from '@lib/permissions';
import type { User } from './user.entity';

/** What the API shows of a user: an allow-list (the password hash never leaves). */
export interface UserResponse {
  id: string;
  email: string;
  name: string;
  avatar: string | null;
  role: Role;
  isActive: boolean;
  workspaceId: string;
  preferences: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export function toUserResponse(u: User): UserResponse {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    avatar: u.avatar,
    role: u.role,
    isActive: u.isActive,
    workspaceId: u.workspace.id,
    preferences: u.preferences,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
