import { CanActivate, ExecutionContext, Injectable, SetMetadata, UnauthorizedException, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ErrorCodes } from '@lib/contracts';
import { InvalidTokenError, JwtVerifier, type AccessClaims } from './jwt.verifier';

const PUBLIC_KEY = 'auth:public';

/** Marks a route (or controller) as reachable without a bearer token. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

type AuthedRequest = FastifyRequest & { user?: AccessClaims };

/** Every route needs a valid bearer token unless marked @Public(). Nothing trusts a header but the signature. */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly verifier: JwtVerifier,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header) : null;
    if (!match) throw new UnauthorizedException({ code: ErrorCodes.unauthorized, detail: 'A bearer token is required' });
    try {
      request.user = this.verifier.verify(match[1]);
      return true;
    } catch (err) {
      const reason = err instanceof InvalidTokenError ? err.message : 'invalid token';
      throw new UnauthorizedException({ code: ErrorCodes.unauthorized, detail: reason });
    }
  }
}

/** The verified claims of the caller. */
export const CurrentUser = createParamDecorator((_: unknown, ctx: ExecutionContext): AccessClaims => {
  const user = ctx.switchToHttp().getRequest<AuthedRequest>().user;
  if (!user) throw new UnauthorizedException({ code: ErrorCodes.unauthorized });
  return user;
});
