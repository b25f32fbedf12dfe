import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import { ConfigError } from '@lib/config';
import { CORRELATION_HEADER, Metrics, PinoNestLogger, acceptCorrelationId, createLogger, runWithContext } from '@lib/observability';
import { IdempotencyReplayDeps, replayIfRepeated, type IdempotencyStore } from './idempotency';
import type { JwtVerifier } from '@lib/auth-verify';
import { OPENAPI_PATH, buildOpenApi } from './openapi';

export interface ServiceRuntime<C> {
  config: C;
  logger: Logger;
  metrics: Metrics;
}

/**
 * Reads config (a bad variable stops start-up with a message naming it), then builds the module
 * and serves HTTP. Everything a service's main.ts needs, so main.ts stays one call.
 */
export async function runService<C extends { service: string; port: number; host: string; logLevel: string }>(
  loadConfig: () => C,
  createModule: (rt: ServiceRuntime<C>) => unknown,
  opts: { bodyLimit?: number; configure?: (app: NestFastifyApplication, rt: ServiceRuntime<C>) => Promise<void> | void } = {},
): Promise<NestFastifyApplication> {
  let config: C;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(config.service, config.logLevel);
  const metrics = new Metrics(config.service);
  const rt: ServiceRuntime<C> = { config, logger, metrics };
  try {
    const app = await createHttpApp(createModule(rt), rt, opts.bodyLimit);
    await opts.configure?.(app, rt);
    await app.listen({ port: config.port, host: config.host });
    logger.info({ port: config.port }, `${config.service} listening`);
    exitAfterShutdownDeadline(logger);
    return app;
  } catch (err) {
    logger.fatal({ err }, `${config.service} failed to start`);
    process.exit(1);
  }
}

/** Within Kubernetes' 30 s grace period, so the last log line says why rather than a SIGKILL. */
const SHUTDOWN_DEADLINE_MS = 25_000;

/**
 * Nest's shutdown hooks run on SIGTERM/SIGINT; one that cannot finish (a query stuck on a hung
 * database connection keeps the pool from closing) must not keep the process: at the deadline it
 * says so and exits with 128 + the signal's number, as the signal itself would have.
 */
function exitAfterShutdownDeadline(logger: Logger): void {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        logger.error({ signal, deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown did not finish in time; exiting');
        process.exit(code);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
}

// API responses are JSON for programs: nothing may frame, sniff or embed them.
const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cross-origin-resource-policy': 'same-site',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
};

export async function createHttpApp<C extends { service: string; trustProxy?: boolean }>(
  module: unknown,
  rt: ServiceRuntime<C>,
  bodyLimit = 1024 * 1024,
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit, trustProxy: rt.config.trustProxy ?? false, genReqId: () => '' });
  const fastify = adapter.getInstance();

  // Correlation id: taken from the caller when sane, else new; in every log line and response.
  fastify.addHook('onRequest', (req, reply, done) => {
    const correlationId = acceptCorrelationId(req.headers[CORRELATION_HEADER]);
    req.headers[CORRELATION_HEADER] = correlationId;
    void reply.header(CORRELATION_HEADER, correlationId);
    runWithContext({ correlationId, causationId: null }, done);
  });
  fastify.addHook('onSend', (_req, reply, payload, done) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) void reply.header(name, value);
    }
    done(null, payload);
  });
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions?.url ?? 'unmatched';
    rt.metrics.httpDuration.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (!route.startsWith('/health') && route !== '/metrics') {
      rt.logger.info({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });

  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: new PinoNestLogger(rt.logger),
    bufferLogs: false,
    // Errors reach the caller (runService logs them and exits) instead of Nest exiting by itself.
    abortOnError: false,
  });
  app.enableShutdownHooks();
  // Repeated POSTs are answered from their stored result before guards run (see replayIfRepeated).
  let replayDeps: { store: IdempotencyStore; verifier: JwtVerifier } | null | undefined;
  fastify.addHook('preHandler', async (req, reply) => {
    if (replayDeps === undefined) {
      const deps = app.get(IdempotencyReplayDeps);
      replayDeps = deps.store ? { store: deps.store, verifier: deps.verifier } : null; // the edge has no store
    }
    if (replayDeps && (await replayIfRepeated(req, reply, replayDeps))) return reply;
  });
  // Internal: the edge merges every service's document into the public one.
  let openapi: unknown;
  fastify.get(OPENAPI_PATH, (_req, reply) => {
    openapi ??= buildOpenApi(app, rt.config.service, 'v1');
    void reply.send(openapi);
  });
  return app;
}
