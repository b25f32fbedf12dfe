/**
 * Domain error with a stable code (`AREA.REASON`) that survives a process boundary. Only the
 * edges (HTTP filters, consumers) map codes to HTTP statuses or retry/dead-letter decisions.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const ErrorCodes = {
  validation: 'COMMON.VALIDATION_FAILED',
  notFound: 'COMMON.NOT_FOUND',
  unauthorized: 'AUTH.UNAUTHORIZED',
  forbidden: 'AUTH.FORBIDDEN',
  conflict: 'COMMON.CONFLICT',
  rateLimited: 'COMMON.RATE_LIMITED',
  upstreamTimeout: 'EDGE.UPSTREAM_TIMEOUT',
  upstreamUnavailable: 'EDGE.UPSTREAM_UNAVAILABLE',
  internal: 'COMMON.INTERNAL',
} as const;
