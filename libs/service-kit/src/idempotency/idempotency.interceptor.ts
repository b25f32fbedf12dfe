import { createHash } from 'node:crypto';
import {
  BadRequestException,
  ConflictException,
  HttpStatus,
  Inject,
  Injectable,
  Optional,
  SetMetadata,
  UnprocessableEntityException,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency.store';

const SENSITIVE = 'idempotency:sensitive';

/**
 * Marks a route whose answer carries secrets (tokens): its answer is never stored, so it
 * ignores Idempotency-Key. Such routes must be safe to repeat on their own.
 */
export const SensitiveResponse = () => SetMetadata(SENSITIVE, true);

const KEY = /^[A-Za-z0-9_.:-]{1,255}$/;

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * `Idempotency-Key` on POST: the first request with a key runs; a repeat with the same key and
 * the same body gets the same answer (with `Idempotency-Replayed: true`); the same key with a
 * different body is refused with 422; a repeat while the first still runs gets 409.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Optional() @Inject(IDEMPOTENCY_STORE) private readonly store?: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest & { user?: { sub: string } }>();
    const header = req.headers['idempotency-key'];
    if (!this.store || req.method !== 'POST' || header === undefined) return next.handle();
    if (this.reflector.get<boolean>(SENSITIVE, context.getHandler())) return next.handle();
    if (typeof header !== 'string' || !KEY.test(header)) {
      throw new BadRequestException({
        code: 'COMMON.VALIDATION_FAILED',
        detail: 'Idempotency-Key must be 1-255 characters of letters, digits, _ . : -',
        errors: [{ field: 'Idempotency-Key', messages: ['invalid format'] }],
      });
    }
    const store = this.store;
    const scope = req.user?.sub ? `user:${req.user.sub}` : 'anon';
    const hash = createHash('sha256').update(`${req.method} ${req.url}\n${canonical(req.body ?? null)}`).digest('hex');
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const reply = http.getResponse<FastifyReply>();

    return from(
      (async () => {
        const begun = await store.begin(scope, header, hash);
        switch (begun.state) {
          case 'mismatch':
            throw new UnprocessableEntityException({
              code: 'COMMON.IDEMPOTENCY_KEY_REUSED',
              title: 'Idempotency-Key reused with a different request',
              detail: 'This Idempotency-Key was already used for a different request body or path',
            });
          case 'in_progress':
            void reply.header('retry-after', '1');
            throw new ConflictException({ code: 'COMMON.IDEMPOTENCY_IN_PROGRESS', detail: 'A request with this Idempotency-Key is still being processed' });
          case 'replay':
            void reply.status(begun.status).header('idempotency-replayed', 'true');
            return begun.body;
          case 'new':
            try {
              const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
              await store.complete(scope, header, status, body);
              return body;
            } catch (err) {
              await store.release(scope, header).catch(() => undefined);
              throw err;
            }
        }
      })(),
    );
  }
}
