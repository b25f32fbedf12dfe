import type { FastifyReply, FastifyRequest } from 'fastify';
import { Inject, Injectable, Optional, type HttpException } from '@nestjs/common';
import { JwtVerifier } from '@lib/auth-verify';
import { currentContext } from '@lib/observability';
import { problemType, sendProblem } from '../problem.filter';
import { idempotencyOf, keyReused, stillRunning } from './idempotency.interceptor';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from './idempotency.store';

/** What the replay hook needs, resolved by Nest; the store is absent in services without one (the edge). */
@Injectable()
export class IdempotencyReplayDeps {
  constructor(
    readonly verifier: JwtVerifier,
    @Optional() @Inject(IDEMPOTENCY_STORE) readonly store?: IdempotencyStore,
  ) {}
}

/**
 * Answers a repeated request from the stored result before guards run. A retry must get the
 * first answer even when re-running the request would now be refused (say, an ownership
 * transfer after which the caller is no longer the owner). The scope is the verified token's
 * subject, so only the same caller ever sees a stored answer. Requests that are new here go on
 * to the interceptor, which claims the key.
 */
export async function replayIfRepeated(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: { store: IdempotencyStore; verifier: JwtVerifier },
): Promise<boolean> {
  if (req.method !== 'POST' || req.headers['idempotency-key'] === undefined) return false;
  let userId: string | undefined;
  const bearer = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(req.headers.authorization ?? '');
  if (bearer) {
    try {
      userId = deps.verifier.verify(bearer[1]).sub;
    } catch {
      return false; // the guard answers 401
    }
  }
  let id: ReturnType<typeof idempotencyOf>;
  try {
    id = idempotencyOf(req, userId);
  } catch {
    // A malformed key is refused by the interceptor, on routes that honour the header at all.
    return false;
  }
  if (!id) return false;
  const seen = await deps.store.peek(id.scope, id.key, id.hash);
  switch (seen.state) {
    case 'new':
      return false;
    case 'replay':
      await reply.status(seen.status).header('idempotency-replayed', 'true').send(seen.body ?? undefined);
      return true;
    case 'mismatch':
      return send(req, reply, keyReused());
    case 'in_progress':
      void reply.header('retry-after', '1');
      return send(req, reply, stillRunning());
  }
}

function send(req: FastifyRequest, reply: FastifyReply, err: HttpException): true {
  const body = err.getResponse() as { code: string; title?: string; detail?: string; errors?: { field: string; messages: string[] }[] };
  sendProblem(reply, {
    type: problemType(body.code),
    title: body.title ?? err.message,
    status: err.getStatus(),
    code: body.code,
    detail: body.detail,
    ...(body.errors ? { errors: body.errors } : {}),
    instance: req.url,
    correlationId: currentContext()?.correlationId,
  });
  return true;
}
