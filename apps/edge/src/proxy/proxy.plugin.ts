import type { IncomingMessage } from 'node:http';
import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ErrorCodes } from '@lib/contracts';
import { CORRELATION_HEADER } from '@lib/observability';
import { UpstreamError, type UpstreamRequest } from '@lib/resilience';
import { problemType, sendProblem } from '@lib/service-kit';
import type { EdgeConfig } from '../config/edge.config';
import type { EdgeGuard, EdgeRequest } from '../protection/guard';
import type { EventStream } from '../events/event-stream';
import type { RequestAudit } from '../events/request-audit';
import { registerEventsRoute } from '../events/events.route';
import { ROUTES, isMediaUpload, resourceOf } from './routes';
import { BodyInterruptedError, BodyTooLargeError, type Upstreams } from './upstreams';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Caps a streamed body: bodies are forwarded as they arrive, never buffered whole. */
function limit(stream: Readable, max: number): Readable {
  let seen = 0;
  const out = stream.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        seen += chunk.length;
        if (seen > max) cb(new BodyTooLargeError(`request body exceeds ${max} bytes`));
        else cb(null, chunk);
      },
    }),
  );
  // pipe() does not pass on a caller that went away mid-body: without this the service would
  // wait for the rest of an upload until its timeout.
  stream.once('close', () => {
    if (!(stream as IncomingMessage).complete) out.destroy(new BodyInterruptedError('the caller closed the connection mid-body'));
  });
  return out;
}

const LINGER_MS = 5_000;

function discardRest(raw: IncomingMessage): void {
  raw.unpipe();
  raw.resume();
  const timer = setTimeout(() => raw.socket?.destroy(), LINGER_MS);
  timer.unref();
  const done = () => clearTimeout(timer);
  raw.once('end', done);
  raw.once('close', done);
}

function forwardHeaders(req: FastifyRequest): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  out['x-forwarded-for'] = req.ip;
  out['x-forwarded-proto'] = req.protocol;
  if (req.headers.host) out['x-forwarded-host'] = req.headers.host;
  return out;
}

/**
 * Forwards /api/v1/<resource>/… to the owning service over keep-alive HTTP, with the caller's
 * bearer token and correlation id. A slow service answers 504, an unavailable one or an open
 * breaker 503, always as problem+json.
 */
export function proxyPlugin(upstreams: Upstreams, guard: EdgeGuard, events: EventStream, audit: RequestAudit, config: EdgeConfig, logger: Logger) {
  return async (fastify: FastifyInstance): Promise<void> => {
    // Scoped to this plugin: bodies stay raw streams, whatever their content type.
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser('*', (_req: FastifyRequest, payload: IncomingMessage, done: (err: Error | null, body?: unknown) => void) => done(null, payload));

    registerEventsRoute(fastify, events, guard);

    // Every authenticated mutating request leaves an audit event, whatever its outcome.
    fastify.addHook('onResponse', (req: EdgeRequest, reply, done) => {
      if (req.claims && MUTATING.has(req.method) && reply.statusCode !== 401 && reply.statusCode !== 429) {
        audit.record({
          claims: req.claims,
          method: req.method,
          path: req.url,
          resource: resourceOf(req.url) ?? 'unknown',
          status: reply.statusCode,
          ip: req.ip,
          userAgent: typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null,
          correlationId: String(req.headers[CORRELATION_HEADER] ?? ''),
        });
      }
      done();
    });

    fastify.all('/api/v1/*', async (req, reply) => {
      if (!guard.check(req, reply)) return reply;
      const resource = resourceOf(req.url);
      const service = resource ? ROUTES[resource] : undefined;
      if (!service) {
        return sendProblem(reply, {
          type: problemType(ErrorCodes.notFound),
          title: 'No such resource',
          status: 404,
          code: ErrorCodes.notFound,
          detail: `Unknown API resource '${resource ?? req.url}'`,
          instance: req.url,
          correlationId: req.headers[CORRELATION_HEADER] as string,
        });
      }
      // Answered before the body was all read (413, or the service refused early): drop the
      // rest for a moment instead of resetting the connection under a client still sending.
      reply.raw.once('finish', () => {
        if (!req.raw.complete) discardRest(req.raw);
      });
      const upload = isMediaUpload(req.method, req.url);
      const maxBody = upload ? config.upload.bodyLimit : config.bodyLimit;
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) return tooLarge(reply, req, maxBody);
      const upstream = upload ? upstreams.uploads : upstreams.get(service);
      const request: UpstreamRequest = {
        method: req.method as UpstreamRequest['method'],
        path: req.url,
        headers: forwardHeaders(req),
        body: req.body ? limit(req.body as Readable, maxBody) : null,
      };
      try {
        const res = await upstream.request(request);
        return relay(reply, res.statusCode, res.headers, res.body);
      } catch (err) {
        if (err instanceof BodyTooLargeError || (err as { cause?: unknown }).cause instanceof BodyTooLargeError) {
          return tooLarge(reply, req, maxBody);
        }
        if ((err as { cause?: unknown }).cause instanceof BodyInterruptedError) {
          // Nobody is left to answer; the service has already been told (the request was aborted).
          return reply.status(400).send();
        }
        if (err instanceof UpstreamError) {
          if (err.response) return relay(reply, err.response.statusCode, err.response.headers, err.response.body);
          const timeout = err.kind === 'timeout';
          const code = timeout ? ErrorCodes.upstreamTimeout : ErrorCodes.upstreamUnavailable;
          logger.warn({ upstream: err.upstream, kind: err.kind }, err.message);
          if (!timeout) void reply.header('retry-after', String(Math.ceil(config.breaker.resetTimeoutMs / 1000)));
          return sendProblem(reply, {
            type: problemType(code),
            title: timeout ? 'Service timed out' : 'Service unavailable',
            status: timeout ? 504 : 503,
            code,
            detail: err.message,
            service,
            instance: req.url,
            correlationId: req.headers[CORRELATION_HEADER] as string,
          });
        }
        throw err;
      }
    });
  };
}

function relay(reply: FastifyReply, status: number, headers: Record<string, string | string[] | undefined>, body: Readable | Buffer): FastifyReply {
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === 'content-length' && !Buffer.isBuffer(body)) continue;
    void reply.header(name, value);
  }
  return reply.status(status).send(body);
}

function tooLarge(reply: FastifyReply, req: FastifyRequest, max: number): void {
  sendProblem(reply, {
    type: problemType('COMMON.PAYLOAD_TOO_LARGE'),
    title: 'Request body too large',
    status: 413,
    code: 'COMMON.PAYLOAD_TOO_LARGE',
    detail: `The limit is ${max} bytes`,
    instance: req.url,
    correlationId: req.headers[CORRELATION_HEADER] as string,
  });
}
