import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import type { Metrics } from '@lib/observability';

export interface BreakerOptions {
  /** Failures (%) within the rolling window that open the breaker. */
  errorThresholdPercentage?: number;
  /** Minimum calls in the window before the percentage is trusted. */
  volumeThreshold?: number;
  /** How long the breaker stays open before letting one trial call through. */
  resetTimeoutMs?: number;
  rollingWindowMs?: number;
  /** Errors for which this returns true do not count as failures (e.g. a 4xx answer). */
  isNeutral?: (err: unknown) => boolean;
}

/** A named opossum breaker whose state changes are logged and exported as a metric. */
export function createBreaker<A extends unknown[], R>(
  name: string,
  action: (...args: A) => Promise<R>,
  opts: BreakerOptions,
  deps: { logger?: Logger; metrics?: Metrics } = {},
): CircuitBreaker<A, R> {
  const breaker = new CircuitBreaker(action, {
    name,
    timeout: false, // callers own their timeouts, so a timeout is reported precisely (504 vs 503)
    errorThresholdPercentage: opts.errorThresholdPercentage ?? 50,
    volumeThreshold: opts.volumeThreshold ?? 5,
    resetTimeout: opts.resetTimeoutMs ?? 10_000,
    rollingCountTimeout: opts.rollingWindowMs ?? 10_000,
    errorFilter: opts.isNeutral ? (err: unknown) => opts.isNeutral!(err) : undefined,
  });
  const gauge = deps.metrics?.breakerState;
  gauge?.set({ breaker: name }, 0);
  breaker.on('open', () => {
    gauge?.set({ breaker: name }, 1);
    deps.logger?.warn({ breaker: name }, 'circuit breaker opened');
  });
  breaker.on('halfOpen', () => {
    gauge?.set({ breaker: name }, 0.5);
    deps.logger?.info({ breaker: name }, 'circuit breaker half-open: trying one call');
  });
  breaker.on('close', () => {
    gauge?.set({ breaker: name }, 0);
    deps.logger?.info({ breaker: name }, 'circuit breaker closed');
  });
  return breaker;
}

export function isBreakerOpenError(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'EOPENBREAKER';
}
