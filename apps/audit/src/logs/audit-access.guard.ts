import { ForbiddenException, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AccessClaims } from '@lib/auth-verify';
import { ErrorCodes } from '@lib/contracts';

const ALLOWED = new Set(['OWNER', 'ADMIN']);

/** Only a workspace's OWNER and ADMINs read its audit log. */
@Injectable()
export class AuditAccessGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const user = context.switchToHttp().getRequest<{ user?: AccessClaims }>().user;
    if (user && ALLOWED.has(user.role)) return true;
    throw new ForbiddenException({ code: ErrorCodes.forbidden, detail: 'The audit log is for OWNER and ADMIN only' });
  }
}
