import { DomainError } from '@lib/contracts';
import { outranks, type Role } from '@lib/permissions';
import { AuthErrors } from '../common/auth.errors';
import type { Caller } from '../common/caller';
import type { User } from './user.entity';

/**
 * Rules on top of the permission matrix for managing members: the caller acts only on members
 * strictly below their own role and hands out only roles strictly below it; the OWNER is changed
 * only by a transfer of ownership.
 */
export function assertCanManage(caller: Caller, target: User): void {
  if (target.role === 'OWNER') {
    throw new DomainError(AuthErrors.ownerProtected, 'The owner can only be changed by transferring ownership');
  }
  if (!outranks(caller.role, target.role)) {
    throw new DomainError(AuthErrors.roleForbidden, `A ${caller.role} cannot manage a ${target.role}`);
  }
}

export function assertCanAssign(caller: Caller, role: Role, field = 'role'): void {
  if (role === 'OWNER' || !outranks(caller.role, role)) {
    throw new DomainError(AuthErrors.roleForbidden, `A ${caller.role} cannot give the ${role} role`, { field });
  }
}
