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

export interface IdempotencyId {
  scope: string;
  key: string;
  hash: string;
}

/** A multipart body is read by its route, as a stream: only the route can fingerprint it. */
export function isStreamedBody(req: FastifyRequest): boolean {
  return /^multipart\//i.test(req.headers['content-type'] ?? '');
}

/**
 * The idempotency identity of a request: per caller (`user:<id>`, or `anon`), the key, and a
 * fingerprint of method, path and canonical body. Null when the request carries no key, and for
 * a multipart body until its route gives the `digest` of its parts (StreamedIdempotency).
 */
export function idempotencyOf(req: FastifyRequest, userId: string | undefined, digest?: string): IdempotencyId | null {
  const header = req.headers['idempotency-key'];
  if (req.method !== 'POST' || header === undefined) return null;
  if (digest === undefined && isStreamedBody(req)) return null;
  if (typeof header !== 'string' || !KEY.test(header)) throw invalidKey();
  return {
    scope: userId ? `user:${userId}` : 'anon',
    key: header,
    hash: createHash('sha256')
      .update(`${req.method} ${req.url}\n${digest ?? canonical(req.body ?? null)}`)
      .digest('hex'),
  };
}

/**
 * Claims the key and runs `work`, storing its answer; or answers as the earlier request with
 * that key did (replay, 422 for another body, 409 while it still runs). A failure is not
 * stored: the key is released, so the client can retry with it.
 */
export async function runIdempotent<T>(store: IdempotencyStore, id: IdempotencyId, status: number, reply: FastifyReply, work: () => Promise<T>): Promise<T> {
  const begun = await store.begin(id.scope, id.key, id.hash);
  switch (begun.state) {
    case 'mismatch':
      throw keyReused();
    case 'in_progress':
      void reply.header('retry-after', '1');
      throw stillRunning();
    case 'replay':
      void reply.status(begun.status).header('idempotency-replayed', 'true');
      return begun.body as T;
    case 'new':
      try {
        const body = await work();
        await store.complete(id.scope, id.key, status, body);
        return body;
      } catch (err) {
        await store.release(id.scope, id.key).catch(() => undefined);
        throw err;
      }
  }
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
    const status = this.reflector.get<number>(HTTP_CODE_METADATA, context.getHandler()) ?? HttpStatus.CREATED;
    const reply = http.getResponse<FastifyReply>();
    return from(runIdempotent(this.store, id, status, reply, () => lastValueFrom(next.handle(), { defaultValue: undefined })));
  }
}

/**
 * `Idempotency-Key` for a route that reads its own multipart body. Its fingerprint needs the
 * parts (a file's bytes, not just its name), so the interceptor and the replay hook leave such
 * requests alone; the route reads its parts, then runs its work through here with their digest.
 * The same key with the same file replays the first answer; with another file, 422.
 */
@Injectable()
export class StreamedIdempotency {
  constructor(@Optional() @Inject(IDEMPOTENCY_STORE) private readonly store?: IdempotencyStore) {}

  run<T>(req: FastifyRequest, reply: FastifyReply, userId: string, digest: string, status: number, work: () => Promise<T>): Promise<T> {
    const id = this.store ? idempotencyOf(req, userId, digest) : null;
    return id && this.store ? runIdempotent(this.store, id, status, reply, work) : work();
  }
}

