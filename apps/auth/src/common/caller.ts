import { Injectable, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { DomainError, ErrorCodes } from '@lib/contracts';
import type { PermissionClaims, PermissionSubject, Role, SubjectResolver } from '@lib/permissions';
import { Session } from '../sessions/session.entity';
import { UserPermission } from '../users/user-permission.entity';
import { Clock } from './clock';

/** The signed-in caller as auth knows it now (not as the token remembers it). */
export interface Caller {
  userId: string;
  workspaceId: string;
  role: Role;
  sessionId: string;
  name: string;
  email: string;
  subject: PermissionSubject;
}

type CallerRequest = FastifyRequest & { caller?: Caller };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Auth's subject resolver for the PermissionsGuard: a valid signature is not enough here. The
 * session must be live and the user active, and the role and overrides are read fresh from the
 * database, so a revoked session, a deactivated user or a demotion takes effect at once.
 */
@Injectable()
export class SessionSubjectResolver implements SubjectResolver {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
  ) {}

  async resolve(claims: PermissionClaims, request: FastifyRequest): Promise<PermissionSubject> {
    if (typeof claims.sid !== 'string' || !UUID.test(claims.sid) || !UUID.test(claims.sub)) {
      throw new DomainError(ErrorCodes.unauthorized, 'The token carries no session');
    }
    const em = this.em.fork();
    const session = await em.findOne(Session, { id: claims.sid }, { populate: ['user'] });
    if (!session || !session.isActive(this.clock.now()) || session.user.id !== claims.sub) {
      throw new DomainError(ErrorCodes.unauthorized, 'The session has ended');
    }
    const user = session.user;
    if (!user.isActive || user.workspace.id !== claims.workspaceId) {
      throw new DomainError(ErrorCodes.unauthorized, 'The account is deactivated');
    }
    const rows = await em.find(UserPermission, { user: user.id });
    const subject: PermissionSubject = {
      userId: user.id,
      role: user.role,
      overrides: rows.map((r) => ({ resource: r.resource, action: r.action, conditions: r.conditions })),
    };
    (request as CallerRequest).caller = {
      userId: user.id,
      workspaceId: user.workspace.id,
      role: user.role,
      sessionId: session.id,
      name: user.name,
      email: user.email,
      subject,
    };
    return subject;
  }
}

/** The caller the guard resolved; every non-public route has one. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<CallerRequest>().caller;
  if (!caller) throw new DomainError(ErrorCodes.unauthorized, 'No authenticated caller');
  return caller;
});
