import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCodes } from '@lib/contracts';
import { InvalidTokenError, type AccessClaims, type JwtVerifier } from '@lib/auth-verify';
import { CORRELATION_HEADER } from '@lib/observability';
import { problemType, sendProblem } from '@lib/service-kit';
import { RateLimiter } from './rate-limiter';

export type EdgeRequest = FastifyRequest & { claims?: AccessClaims };

/**
 * Runs before any request is forwarded: a bearer token, when present, must verify (services
 * verify it again and decide what needs one); then the caller's address and, when signed in,
 * the user get their rate budgets.
 */
export class EdgeGuard {
  private readonly byIp: RateLimiter;
  private readonly byUser: RateLimiter;

  constructor(
    private readonly verifier: JwtVerifier,
    limits: { perIpPerMinute: number; perUserPerMinute: number },
    now: () => number = Date.now,
  ) {
    this.byIp = new RateLimiter(limits.perIpPerMinute, 60_000, now);
    this.byUser = new RateLimiter(limits.perUserPerMinute, 60_000, now);
  }

  /** Returns true when the request may go on; otherwise it has answered. */
  check(req: EdgeRequest, reply: FastifyReply): boolean {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(header);
      try {
        if (!match) throw new InvalidTokenError('malformed Authorization header; expected a bearer token');
        req.claims = this.verifier.verify(match[1]);
      } catch (err) {
        this.refuse(req, reply, 401, ErrorCodes.unauthorized, 'Unauthorized', err instanceof InvalidTokenError ? err.message : 'invalid token');
        return false;
      }
    }
    const ip = this.byIp.take(`ip:${req.ip}`);
    const user = req.claims ? this.byUser.take(`user:${req.claims.sub}`) : null;
    const refused = !ip.allowed ? ip : user && !user.allowed ? user : null;
    if (refused && !refused.allowed) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil(refused.retryAfterMs / 1000))));
      this.refuse(req, reply, 429, ErrorCodes.rateLimited, 'Too many requests', `Rate limit per ${!ip.allowed ? 'client address' : 'user'} reached`);
      return false;
    }
    return true;
  }

  private refuse(req: FastifyRequest, reply: FastifyReply, status: number, code: string, title: string, detail: string): void {
    sendProblem(reply, {
      type: problemType(code),
      title,
      status,
      code,
      detail,
      instance: req.url,
      correlationId: req.headers[CORRELATION_HEADER] as string,
    });
  }
}
