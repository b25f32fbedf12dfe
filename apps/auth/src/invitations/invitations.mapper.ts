import type { Role } from '@lib/permissions';
import type { Invitation } from './invitation.entity';

export interface InvitationResponse {
  id: string;
  email: string;
  role: Role;
  invitedById: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
}

export function toInvitationResponse(i: Invitation): InvitationResponse {
  return {
    id: i.id,
    email: i.email,
    role: i.role,
    invitedById: i.invitedById,
    createdAt: i.createdAt.toISOString(),
    expiresAt: i.expiresAt.toISOString(),
    acceptedAt: i.acceptedAt?.toISOString() ?? null,
  };
}
