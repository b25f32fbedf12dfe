import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type CircuitBreaker from 'opossum';
import { Pool, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { Metrics } from '@lib/observability';
import { createBreaker, isBreakerOpenError, type BreakerOptions } from './breaker';

export interface UpstreamOptions {
  name: string;
  baseUrl: string;
  timeoutMs: number;
  connections?: number;
  breaker?: BreakerOptions;
}

export interface UpstreamRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string | string[]>;
  body?: Readable | Buffer | string | null;
}

export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Readable | Buffer;
}

export type UpstreamFailure = 'timeout' | 'unavailable' | 'open';

/** Why a call to a service did not produce a usable answer; the edge maps it to 504 or 503. */
export class UpstreamError extends Error {
  constructor(
    readonly upstream: string,
    readonly kind: UpstreamFailure,
    message: string,
    /** A 502/503/504 answer from the service itself, relayed as is. */
    readonly response?: UpstreamResponse,
    /** What failed underneath (e.g. the request body stream), for callers that tell causes apart. */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'UpstreamError';
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * One internal service behind keep-alive connections, a per-service timeout and a circuit
 * breaker. Timeouts, refused connections and 502/503/504 answers count as failures; any other
 * answer (4xx included) is the service working as designed.
 */
export class Upstream {
  private readonly pool: Pool;
  private readonly breaker: CircuitBreaker<[UpstreamRequest], UpstreamResponse>;

  constructor(
    private readonly opts: UpstreamOptions,
    deps: { logger?: Logger; metrics?: Metrics } = {},
  ) {
    this.pool = new Pool(opts.baseUrl, { connections: opts.connections ?? 128, keepAliveTimeout: 30_000, pipelining: 1 });
    this.breaker = createBreaker(`upstream:${opts.name}`, (req: UpstreamRequest) => this.send(req), opts.breaker ?? {}, deps);
  }

  get name(): string {
    return this.opts.name;
  }

  get state(): 'open' | 'half-open' | 'closed' {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half-open' : 'closed';
  }

  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    try {
      return await this.breaker.fire(req);
    } catch (err) {
      if (err instanceof UpstreamError) throw err;
      if (isBreakerOpenError(err)) throw new UpstreamError(this.opts.name, 'open', `${this.opts.name} is unavailable (circuit open)`);
      throw err;
    }
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    await this.pool.close();
  }

  private async send(req: UpstreamRequest): Promise<UpstreamResponse> {
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body: req.body ?? null,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (TIMEOUT_CODES.has(code)) {
        throw new UpstreamError(this.opts.name, 'timeout', `${this.opts.name} did not answer within ${this.opts.timeoutMs} ms`);
      }
      throw new UpstreamError(this.opts.name, 'unavailable', `${this.opts.name} is unreachable (${code || (err as Error).message})`, undefined, err);
    }
    if (res.statusCode === 502 || res.statusCode === 503 || res.statusCode === 504) {
      const body = Buffer.from(await res.body.arrayBuffer());
      const kind = res.statusCode === 504 ? 'timeout' : 'unavailable';
      throw new UpstreamError(this.opts.name, kind, `${this.opts.name} answered ${res.statusCode}`, { statusCode: res.statusCode, headers: res.headers, body });
    }
    return { statusCode: res.statusCode, headers: res.headers, body: res.body };
  }
}
