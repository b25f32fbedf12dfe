import type CircuitBreaker from 'opossum';
import { Agent, request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { createBreaker, isBreakerOpenError, type BreakerOptions } from '@lib/resilience';
import { ConnectorError } from './connector-error';
import type { Platform } from './platform';
import { redact } from './redact';

export type Headers = Record<string, string | string[] | undefined>;

/** A network's answer, body already read. */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpCall {
  method: Dispatcher.HttpMethod;
  /** Absolute URL (networks serve OAuth and API from different hosts). */
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /**
   * The call creates something on the network (a post, a reply, an upload). A timeout after it
   * was sent then means `unknown_outcome`, not `transient`.
   */
  sideEffect: boolean;
  /** Tokens and secrets in this call, removed from any error message. */
  secrets: readonly (string | undefined)[];
  /** The account the call acts for, to keep its rate-limit state. */
  account?: string;
}

export interface NetworkHttpOptions {
  /** Time the network has to send its answer's headers, then its body. */
  timeoutMs: number;
  connectTimeoutMs?: number;
  breaker?: BreakerOptions;
  /** For tests and custom pools. */
  dispatcher?: Dispatcher;
}

export type Classifier = (answer: HttpAnswer, now: Date) => ConnectorError;

const TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const NEVER_SENT = new Set(['UND_ERR_CONNECT_TIMEOUT', 'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

export function parseJson<T>(text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

/**
 * One network's HTTP access: undici with timeouts, one named circuit breaker, and every failure
 * turned into a ConnectorError by the network's classifier. Answers the network gives on
 * purpose (auth, content, throttling) do not count against the breaker.
 */
export class NetworkHttp {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly breaker: CircuitBreaker<[HttpCall], HttpAnswer>;
  private readonly now: () => Date;

  constructor(
    private readonly platform: Platform,
    private readonly opts: NetworkHttpOptions,
    private readonly classify: Classifier,
    private readonly observe: (answer: HttpAnswer, call: HttpCall) => void = () => undefined,
    deps: { logger?: Logger; now?: () => Date } = {},
  ) {
    this.ownsDispatcher = !opts.dispatcher;
    this.dispatcher = opts.dispatcher ?? new Agent({ connect: { timeout: opts.connectTimeoutMs ?? 5_000 }, keepAliveTimeout: 30_000 });
    this.now = deps.now ?? (() => new Date());
    const neutral = (err: unknown): boolean => err instanceof ConnectorError && err.kind !== 'transient' && err.kind !== 'unknown_outcome';
    this.breaker = createBreaker(`connector:${platform.toLowerCase()}`, (call: HttpCall) => this.send(call), { ...opts.breaker, isNeutral: neutral }, { logger: deps.logger });
  }

  /** The answer when 2xx (or 3xx); a classified ConnectorError otherwise. */
  async call(call: HttpCall): Promise<HttpAnswer> {
    try {
      return await this.breaker.fire(call);
    } catch (err) {
      if (err instanceof ConnectorError) throw err;
      if (isBreakerOpenError(err)) {
        throw new ConnectorError(this.platform, 'transient', 'circuit open after repeated failures; not calling the network for now');
      }
      throw new ConnectorError(this.platform, 'transient', redact(String((err as Error)?.message ?? err), call.secrets));
    }
  }

  async close(): Promise<void> {
    this.breaker.shutdown();
    if (this.ownsDispatcher) await this.dispatcher.close();
  }

  private async send(call: HttpCall): Promise<HttpAnswer> {
    let answer: HttpAnswer;
    try {
      const res = await request(call.url, {
        dispatcher: this.dispatcher,
        method: call.method,
        headers: call.headers,
        body: call.body,
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
      });
      answer = { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    } catch (err) {
      throw this.transportError(err, call);
    }
    this.observe(answer, call);
    if (answer.status >= 400) {
      const e = this.classify(answer, this.now());
      throw new ConnectorError(e.platform, e.kind, redact(e.message.replace(`${e.platform}: `, ''), call.secrets), e.info);
    }
    return answer;
  }

  private transportError(err: unknown, call: HttpCall): ConnectorError {
    const code = (err as { code?: string }).code ?? '';
    const what = `${call.method} ${new URL(call.url).pathname}`;
    if (TIMEOUT.has(code)) {
      return call.sideEffect
        ? new ConnectorError(this.platform, 'unknown_outcome', `${what}: no answer within ${this.opts.timeoutMs} ms after the request was sent; it may have been applied`)
        : new ConnectorError(this.platform, 'transient', `${what}: no answer within ${this.opts.timeoutMs} ms`);
    }
    if (NEVER_SENT.has(code)) return new ConnectorError(this.platform, 'transient', `${what}: network unreachable (${code})`);
    const reason = redact(`${code || 'error'}: ${(err as Error)?.message ?? String(err)}`, call.secrets);
    // The connection broke after the request may have reached the network.
    return call.sideEffect
      ? new ConnectorError(this.platform, 'unknown_outcome', `${what}: connection lost before the answer (${reason}); it may have been applied`)
      : new ConnectorError(this.platform, 'transient', `${what}: connection lost (${reason})`);
  }
}

export function form(fields: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) p.set(k, v);
  return p.toString();
}

export function withQuery(base: string, query: Record<string, string | number | undefined>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
  return u.toString();
}
