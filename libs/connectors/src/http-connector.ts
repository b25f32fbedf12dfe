import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import type { BreakerOptions } from '@lib/resilience';
import type { RateLimitState } from './capabilities';
import { NetworkHttp, parseJson, type Classifier, type HttpAnswer, type HttpCall } from './network-http';
import type { Platform } from './platform';

/** How every HTTP connector reaches its network. */
export interface HttpConnectorConfig {
  /** Time the network has to answer (headers, then body); 10 s unless set. */
  timeoutMs?: number;
  breaker?: BreakerOptions;
  /** Own undici dispatcher (a MockAgent in unit tests, a shared pool); the connector closes only one it made. */
  dispatcher?: Dispatcher;
}

export interface ConnectorDeps {
  logger?: Logger;
  now?: () => Date;
}

/**
 * What the network connectors share: one breaker-guarded HTTP client per connector, the latest
 * rate-limit state seen per account (each network reads it from its own headers in `observe`),
 * and closing.
 */
export abstract class HttpConnector {
  abstract readonly platform: Platform;
  protected readonly http: NetworkHttp;
  protected readonly limits = new Map<string, RateLimitState>();
  protected readonly now: () => Date;

  protected constructor(platform: Platform, config: HttpConnectorConfig, classify: Classifier, deps: ConnectorDeps = {}) {
    this.now = deps.now ?? (() => new Date());
    this.http = new NetworkHttp(platform, { timeoutMs: config.timeoutMs ?? 10_000, breaker: config.breaker, dispatcher: config.dispatcher }, classify, (a, c) => this.observe(a, c), deps);
  }

  rateLimitState(accountId: string): RateLimitState | undefined {
    return this.limits.get(accountId);
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** Records what an answer's headers say of the account's rate limit. */
  protected abstract observe(answer: HttpAnswer, call: HttpCall): void;

  /** The answer's JSON body; `{}` when there is none. */
  protected json<T>(a: HttpAnswer): T {
    return parseJson<T>(a.text) ?? ({} as T);
  }
}
