import { DomainError } from '@lib/contracts';
import type { Platform } from './platform';

/**
 * - `auth`: the token is expired, revoked or lacks a permission: the account must reconnect.
 * - `rate_limited`: throttled; retry after `resetAt`.
 * - `invalid_content`: the network refused this content (too long, duplicate, bad media): do not retry.
 * - `transient`: 5xx, connection refused/reset before the request was sent, open circuit: retry with back-off.
 * - `unknown_outcome`: the request left but no answer came back (timeout, reset mid-answer):
 *   the post may exist. Reconcile with `findRecentByMarker` before any retry.
 * - `misconfigured`: our side is wrong (retired API version, bad client credentials): an operator must act.
 */
export type ConnectorErrorKind = 'auth' | 'rate_limited' | 'invalid_content' | 'transient' | 'unknown_outcome' | 'misconfigured';

export const CONNECTOR_ERROR_CODES: Readonly<Record<ConnectorErrorKind, string>> = {
  auth: 'CONNECTORS.AUTH',
  rate_limited: 'CONNECTORS.RATE_LIMITED',
  invalid_content: 'CONNECTORS.INVALID_CONTENT',
  transient: 'CONNECTORS.TRANSIENT',
  unknown_outcome: 'CONNECTORS.UNKNOWN_OUTCOME',
  misconfigured: 'CONNECTORS.MISCONFIGURED',
};

export interface ConnectorErrorInfo {
  /** HTTP status the network answered, if it answered. */
  httpStatus?: number;
  /** The network's own error code (X `type`, Graph `code`, LinkedIn `serviceErrorCode`/`code`). */
  networkCode?: string | number;
  networkSubcode?: string | number;
  /** Earliest time a retry can succeed (rate_limited), from the network's headers. */
  resetAt?: Date;
  /** Whose quota ran out: the whole app (every account) or this account. */
  scope?: 'app' | 'account' | 'unknown';
  /**
   * The network refused the content as a copy of a recent post. After an `unknown_outcome`,
   * this means the first attempt went through: reconcile again instead of failing the post.
   */
  duplicate?: boolean;
  /** Network request id, for support tickets (X `x-transaction-id`, Graph `fbtrace_id`…). */
  traceId?: string;
}

/** A classified failure talking to a network; the message carries the network's own reason, never a token. */
export class ConnectorError extends DomainError {
  constructor(
    readonly platform: Platform,
    readonly kind: ConnectorErrorKind,
    message: string,
    readonly info: ConnectorErrorInfo = {},
  ) {
    super(CONNECTOR_ERROR_CODES[kind], `${platform}: ${message}`, { platform, kind, ...info, resetAt: info.resetAt?.toISOString() });
    this.name = 'ConnectorError';
  }

  /** Worth retrying later (after `resetAt` for rate_limited). `unknown_outcome` is retryable only after reconciliation. */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate_limited';
  }
}

export function isConnectorError(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError;
}
