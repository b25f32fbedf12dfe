import type { FastifyInstance, FastifyReply } from 'fastify';
import { ErrorCodes } from '@lib/contracts';
import { CORRELATION_HEADER } from '@lib/observability';
import { problemType, sendProblem } from '@lib/service-kit';
import type { EdgeGuard, EdgeRequest } from '../protection/guard';
import type { EventStream, StreamEvent } from './event-stream';

const HEARTBEAT_MS = 15_000;
/** A client this far behind is cut off; it reconnects with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

function frame(e: StreamEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** GET /api/v1/events: server-sent events of the caller's workspace. */
export function registerEventsRoute(fastify: FastifyInstance, stream: EventStream, guard: EdgeGuard): void {
  fastify.get('/api/v1/events', (req: EdgeRequest, reply: FastifyReply) => {
    if (!guard.check(req, reply)) return;
    const claims = req.claims;
    if (!claims) {
      sendProblem(reply, {
        type: problemType(ErrorCodes.unauthorized),
        title: 'Unauthorized',
        status: 401,
        code: ErrorCodes.unauthorized,
        detail: 'The event stream needs a bearer token',
        instance: req.url,
        correlationId: req.headers[CORRELATION_HEADER] as string,
      });
      return;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      [CORRELATION_HEADER]: String(req.headers[CORRELATION_HEADER] ?? ''),
    });
    res.write(`retry: 3000\n: connected to workspace ${claims.workspaceId}\n\n`);
    const lastEventId = typeof req.headers['last-event-id'] === 'string' ? req.headers['last-event-id'] : undefined;
    const unsubscribe = stream.subscribe(
      claims.workspaceId,
      (e) => {
        if (res.writableLength > MAX_BUFFERED_BYTES) return void res.destroy();
        res.write(frame(e));
      },
      lastEventId,
      () => res.end(),
    );
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });
}
