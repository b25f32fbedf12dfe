import { Inject, Injectable, Optional, SetMetadata, createParamDecorator, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { InvalidTokenError, JwtVerifier, type AccessClaims } from '@lib/auth-verify';
import { DomainError, ErrorCodes } from '@lib/contracts';
import { decodePermissions } from './compact';
import { evaluate, type Decision, type PermissionSubject } from './evaluate';
import { isRole } from './roles';

const REQUIRES_KEY = 'permissions:requires';
// The metadata key of @Public() from @lib/auth-verify; a unit test pins that both agree.
const PUBLIC_KEY = 'auth:public';

export interface Requirement {
  resource: string;
  action: string;
}

/** The caller needs `action` on `resource` (default matrix + their overrides) to reach the route. */
export const Requires = (resource: string, action: string) => SetMetadata(REQUIRES_KEY, { resource, action } satisfies Requirement);

/** Access claims plus the compact permission overrides auth puts in every token. */
export type PermissionClaims = AccessClaims & { perms?: unknown };

/**
 * Turns verified claims into the subject to evaluate. The default reads the token alone; a
 * service that owns the truth (auth) provides one that checks the session and the user.
 */
export interface SubjectResolver {
  resolve(claims: PermissionClaims, request: FastifyRequest): Promise<PermissionSubject>;
}
export const SUBJECT_RESOLVER = Symbol('SUBJECT_RESOLVER');

export type PermissionRequest = FastifyRequest & { user?: PermissionClaims; subject?: PermissionSubject; permission?: Decision & { allowed: true } };

export function subjectFromClaims(claims: PermissionClaims): PermissionSubject {
  if (!isRole(claims.role)) throw new DomainError(ErrorCodes.unauthorized, 'The token names an unknown role');
  return { userId: claims.sub, role: claims.role, overrides: decodePermissions(claims.perms) };
}

/**
 * The one guard for every route: verifies the bearer token (unless @Public()), resolves the
 * caller's subject and evaluates the route's @Requires(). The decision (with any narrowing
 * conditions) is left on the request for the use case: see {@link CurrentPermission}.
 */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: JwtVerifier,
    @Optional() @Inject(SUBJECT_RESOLVER) private readonly resolver?: SubjectResolver,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const request = context.switchToHttp().getRequest<PermissionRequest>();
    const claims = request.user ?? this.verify(request.headers.authorization);
    request.user = claims;
    const subject = this.resolver ? await this.resolver.resolve(claims, request) : subjectFromClaims(claims);
    request.subject = subject;
    const requirement = this.reflector.getAllAndOverride<Requirement | undefined>(REQUIRES_KEY, targets);
    if (!requirement) return true;
    const decision = evaluate(subject, requirement.resource, requirement.action);
    if (!decision.allowed) {
      throw new DomainError(ErrorCodes.forbidden, `Your role does not allow ${requirement.action} on ${requirement.resource}`, requirement as unknown as Record<string, unknown>);
    }
    request.permission = decision;
    return true;
  }

  private verify(header: string | undefined): PermissionClaims {
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header) : null;
    if (!match) throw new DomainError(ErrorCodes.unauthorized, 'A bearer token is required');
    try {
      return this.verifier.verify(match[1]);
    } catch (err) {
      throw new DomainError(ErrorCodes.unauthorized, err instanceof InvalidTokenError ? err.message : 'invalid token');
    }
  }
}

/** The caller's subject as the guard resolved it. */
export const CurrentSubject = createParamDecorator((_: unknown, ctx: ExecutionContext): PermissionSubject => {
  const subject = ctx.switchToHttp().getRequest<PermissionRequest>().subject;
  if (!subject) throw new DomainError(ErrorCodes.unauthorized, 'No authenticated caller');
  return subject;
});

/** The allowed decision of the route's @Requires(), with its narrowing conditions (or null). */
export const CurrentPermission = createParamDecorator((_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<PermissionRequest>().permission ?? null);
