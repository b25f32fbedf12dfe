import { IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageRequest } from '@lib/pagination';
import { ROLES, type Role } from '@lib/permissions';

export class UserIdParam {
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}

export class ListUsersQuery extends PageRequest {}

export class UpdateUserRequest {
  @IsOptional()
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role?: Role;

  /** `false` deactivates the member and revokes their sessions. */
  @IsOptional()
  @IsBoolean()
  isActive?: boolean;
}
