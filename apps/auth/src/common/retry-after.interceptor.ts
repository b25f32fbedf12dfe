import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { catchError, throwError, type Observable } from 'rxjs';
import { DomainError } from '@lib/contracts';

/** Puts `Retry-After` on answers to errors that say when to retry (`details.retryAfter`, seconds). */
@Injectable()
export class RetryAfterInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      catchError((err: unknown) => {
        const seconds = err instanceof DomainError ? err.details?.retryAfter : undefined;
        if (typeof seconds === 'number') void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(seconds));
        return throwError(() => err);
      }),
    );
  }
}
