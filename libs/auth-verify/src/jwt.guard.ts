import { ExecutionContext, Injectable, SetMetadata, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ErrorCodes } from '@lib/contracts';
import { JWT_STRATEGY } from './jwt.strategy';
import { InvalidTokenError, type AccessClaims } from './jwt.verifier';

const PUBLIC_KEY = 'auth:public';

/** Marks a route (or controller) as reachable without a bearer token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

type AuthedRequest = FastifyRequest & { user?: AccessClaims };

/**
 * Every route needs a valid bearer token (passport-jwt, see JwtStrategy) unless marked
 * @Public(). Nothing trusts a header but the signature. Failures are 401 problem+json saying
 * why (missing, expired, invalid), never which part of a forged token was wrong.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY) {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): ReturnType<InstanceType<ReturnType<typeof AuthGuard>>['canActivate']> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const header = context.switchToHttp().getRequest<AuthedRequest>().headers.authorization;
    if (typeof header !== 'string' || !/^Bearer [A-Za-z0-9_.-]+$/.test(header)) {
      throw new UnauthorizedException({ code: ErrorCodes.unauthorized, detail: 'A bearer token is required' });
    }
    return super.canActivate(context);
  }

  override handleRequest<T = AccessClaims>(err: unknown, user: T | false, info: unknown): T {
    if (!err && user) return user;
    throw new UnauthorizedException({ code: ErrorCodes.unauthorized, detail: reasonOf(err ?? info) });
  }
}

function reasonOf(problem: unknown): string {
  if (problem instanceof InvalidTokenError) return problem.message;
  if (problem instanceof Error && problem.name === 'TokenExpiredError') return 'token expired';
  return 'invalid token';
}

/** The verified claims of the caller. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AccessClaims => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest>().user;
  if (!user) throw new UnauthorizedException({ code: ErrorCodes.unauthorized });
  return user;
});
