import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { ROLES, type Role } from '@lib/permissions';
import { normalizeEmail, trim } from '../../sessions/dto/auth.requests';

const INVITABLE = ROLES.filter((r) => r !== 'OWNER');

export class CreateInvitationRequest {
  @Transform(normalizeEmail)
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @IsIn(INVITABLE, { message: `role must be one of ${INVITABLE.join(', ')}` })
  role!: Role;
}

export class AcceptInvitationRequest {
  @IsString()
  @Length(20, 200)
  token!: string;

  @Transform(trim)
  @IsString()
  @Length(1, 100)
  name!: string;

  @IsString()
  @MaxLength(200)
  password!: string;
}

export class InvitationIdParam {
  @IsUUID('all', { message: 'id must be a UUID' })
  id!: string;
}
