import { ConnectorError } from './connector-error';
import { parseJson, type HttpAnswer } from './network-http';
import type { Platform } from './platform';

/** RFC 6749 §5.2 token-endpoint errors; null when the answer is not one. */
export function classifyOAuthError(platform: Platform, answer: HttpAnswer): ConnectorError | null {
  const body = parseJson<{ error?: unknown; error_description?: unknown }>(answer.text);
  if (!body || typeof body.error !== 'string') return null;
  const reason = `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''} (HTTP ${answer.status})`;
  switch (body.error) {
    case 'invalid_client':
    case 'unauthorized_client':
    case 'unsupported_grant_type':
    case 'invalid_scope':
    case 'redirect_uri_mismatch':
      return new ConnectorError(platform, 'misconfigured', `token endpoint refused our app: ${reason}`, { httpStatus: answer.status, networkCode: body.error });
    case 'temporarily_unavailable':
    case 'server_error':
      return new ConnectorError(platform, 'transient', `token endpoint: ${reason}`, { httpStatus: answer.status, networkCode: body.error });
    default:
      // invalid_grant / invalid_request: the code or refresh token is expired, used or revoked.
      return new ConnectorError(platform, 'auth', `token endpoint: ${reason}`, { httpStatus: answer.status, networkCode: body.error });
  }
}

/** `Retry-After` as seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date): Date | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return new Date(now.getTime() + Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : new Date(at);
}
