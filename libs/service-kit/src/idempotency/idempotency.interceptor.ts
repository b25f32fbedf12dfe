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

// Any visible ASCII (clients often use UUIDs, but also e-mail-like or path-like keys).
const KEY = /^[\x21-\x7E]{1,255}$/;

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

export function invalidKey(): BadRequestException {
  return new BadRequestException({
    code: 'COMMON.VALIDATION_FAILED',
    detail: 'Idempotency-Key must be 1-255 visible ASCII characters (no spaces)',
    errors: [{ field: 'Idempotency-Key', messages: ['invalid format'] }],
  });
}

/**
 * The idempotency identity of a request: per caller (`user:<id>`, or `anon`), the key, and a
 * fingerprint of method, path and canonical body. Null when the request carries no key.
 */
export function idempotencyOf(req: FastifyRequest, userId: string | undefined): { scope: string; key: string; hash: string } | null {
  const header = req.headers['idempotency-key'];
  if (req.method !== 'POST' || header === undefined) return null;
  if (typeof header !== 'string' || !KEY.test(header)) throw invalidKey();
  return {
    scope: userId ? `user:${userId}` : 'anon',
    key: header,
    hash: createHash('sha256').update(`${req.method} ${req.url}\n${canonical(req.body ?? null)}`).digest('hex'),
  };
}

export const keyReused = () =>
  new UnprocessableEntityException({
    code: 'COMMON.IDEMPOTENCY_KEY_REUSED',
    title: 'Idempotency-Key reused with a different request',
    detail: 'This Idempotency-Key was already used for a different request body or path',
  });

export const stillRunning = () => new ConflictException({ code: 'COMMON.IDEMPOTENCY_IN_PROGRESS', detail: 'A request with this Idempotency-Key is still being processed' });

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
    if (!this.store || this.reflector.get<boolean>(SENSITIVE, context.getHandler())) return next.handle();
    const id = idempotencyOf(req, req.user?.sub);
    if (!id) return next.handle();
    const store = this.store;
    const { scope, key: header, hash } = id;
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const reply = http.getResponse<FastifyReply>();

    return from(
      (async () => {
        const begun = await store.begin(scope, header, hash);
        switch (begun.state) {
          case 'mismatch':
            throw keyReused();
          case 'in_progress':
            void reply.header('retry-after', '1');
            throw stillRunning();
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
