import { ArgumentsHost, Catch, HttpException, HttpStatus, Inject, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { DomainError, ErrorCodes } from '@lib/contracts';
import { currentContext } from '@lib/observability';
import { LOGGER } from './tokens';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  instance?: string;
  correlationId?: string;
  errors?: { field: string; messages: string[] }[];
  [extra: string]: unknown;
}

/** Maps stable domain error codes to HTTP statuses; the suffix decides when no exact entry exists. */
const STATUS_BY_SUFFIX: [RegExp, number][] = [
  [/NOT_FOUND$/, 404],
  [/VALIDATION_FAILED$|INVALID/, 400],
  [/UNAUTHORIZED$/, 401],
  [/FORBIDDEN$/, 403],
  [/CONFLICT$|ALREADY_EXISTS$|ILLEGAL_TRANSITION$/, 409],
  [/UNPROCESSABLE$|LIMIT_REACHED$/, 422],
  [/RATE_LIMITED$/, 429],
  [/RANGE_NOT_SATISFIABLE$/, 416],
  [/UPSTREAM_TIMEOUT$/, 504],
  [/UPSTREAM_UNAVAILABLE$/, 503],
];

export function statusForCode(code: string): number {
  return STATUS_BY_SUFFIX.find(([re]) => re.test(code))?.[1] ?? 500;
}

const HTTP_CODES: Record<number, string> = {
  400: ErrorCodes.validation,
  401: ErrorCodes.unauthorized,
  403: ErrorCodes.forbidden,
  404: ErrorCodes.notFound,
  409: ErrorCodes.conflict,
  413: 'COMMON.PAYLOAD_TOO_LARGE',
  415: 'COMMON.UNSUPPORTED_MEDIA_TYPE',
  429: ErrorCodes.rateLimited,
};

const UNHEALTHY = 'COMMON.UNHEALTHY';

/** Terminus's answer when a check fails: `{status: 'error', info, error, details}`. */
function isHealthAnswer(obj: Record<string, unknown>): obj is { status: 'error'; info: unknown; error: Record<string, unknown> } {
  return obj.status === 'error' && typeof obj.error === 'object' && obj.error !== null && typeof obj.details === 'object';
}

export function problemType(code: string): string {
  return `urn:problem:${code.toLowerCase().replace(/_/g, '-')}`;
}

export function sendProblem(reply: FastifyReply, problem: Problem): void {
  void reply.status(problem.status).header('content-type', 'application/problem+json; charset=utf-8').send(problem);
}

/** Every error leaves as RFC 9457 problem+json with a stable `code`; internals never leak. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const reply = ctx.getResponse<FastifyReply>();
    const request = ctx.getRequest<FastifyRequest>();
    const problem = this.toProblem(exception);
    problem.instance = request.url;
    problem.correlationId = currentContext()?.correlationId;
    if (problem.code === UNHEALTHY) this.logger.warn({ failing: problem.error }, 'health check failed');
    else if (problem.status >= 500) this.logger.error({ err: exception }, 'request failed');
    sendProblem(reply, problem);
  }

  private toProblem(exception: unknown): Problem {
    if (exception instanceof DomainError) {
      const status = statusForCode(exception.code);
      // Details add fields; they never replace the problem's own (a detail called `status` once did).
      return { ...(exception.details ?? {}), type: problemType(exception.code), title: exception.message, status, code: exception.code, detail: typeof exception.details?.detail === 'string' ? exception.details.detail : undefined };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const obj = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const code = typeof obj.code === 'string' ? obj.code : (HTTP_CODES[status] ?? (status >= 500 ? ErrorCodes.internal : `HTTP.${status}`));
      const problem: Problem = {
        type: problemType(code),
        title: typeof obj.title === 'string' ? obj.title : (HttpStatus[status] ?? 'Error').replace(/_/g, ' ').toLowerCase().replace(/^\w/, (c) => c.toUpperCase()),
        status,
        code,
        detail: typeof body === 'string' ? body : typeof obj.detail === 'string' ? obj.detail : typeof obj.message === 'string' ? obj.message : undefined,
      };
      if (Array.isArray(obj.errors)) problem.errors = obj.errors as Problem['errors'];
      if (isHealthAnswer(obj)) {
        // A failed health check says which checks failed and why: what the operator came for.
        return { ...problem, code: UNHEALTHY, type: problemType(UNHEALTHY), title: 'Unhealthy', detail: `failing: ${Object.keys(obj.error).join(', ')}`, info: obj.info, error: obj.error };
      }
      return problem;
    }
    // Fastify's own errors (body too large, bad JSON, wrong content type) carry a statusCode.
    const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      const code = HTTP_CODES[fastifyStatus] ?? `HTTP.${fastifyStatus}`;
      return { type: problemType(code), title: (exception as Error).message, status: fastifyStatus, code };
    }
    return { type: problemType(ErrorCodes.internal), title: 'Internal error', status: 500, code: ErrorCodes.internal, detail: 'The error was logged with this correlation id.' };
  }
}
