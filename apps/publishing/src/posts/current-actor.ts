import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AccessClaims } from '@lib/auth-verify';
import { DomainError, ErrorCodes } from '@lib/contracts';
import type { Decision, PermissionSubject } from '@lib/permissions';
import type { Actor } from './posts.service';

/** Who calls, and how the route's @Requires() narrows them: the token's workspace, the role and overrides, the grant's conditions. */
export function actorOf(user: AccessClaims, subject: PermissionSubject, permission: Decision | null): Actor {
  return { userId: subject.userId, workspaceId: user.workspaceId, conditions: permission && permission.allowed ? permission.conditions : null, role: subject.role };
}

/** The {@link Actor} of the request, once the token guard and the permissions guard have run. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<{ user?: AccessClaims; subject?: PermissionSubject; permission?: Decision | null }>();
  if (!req.user || !req.subject) throw new DomainError(ErrorCodes.unauthorized, 'No authenticated caller');
  return actorOf(req.user, req.subject, req.permission ?? null);
});
