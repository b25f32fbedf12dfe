import { ConnectorError } from '../connector-error';
import { header, parseJson, type Headers, type HttpAnswer } from '../network-http';
import { classifyOAuthError, parseRetryAfter } from '../oauth-errors';

interface LinkedInError {
  status?: number;
  serviceErrorCode?: number;
  code?: string;
  message?: string;
}

/** `Retry-After` when LinkedIn sends it; otherwise its daily limits reset at midnight UTC. */
export function parseLinkedInReset(headers: Headers, now: Date): Date {
  const at = parseRetryAfter(header(headers, 'retry-after'), now);
  if (at) return at;
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
}

export function classifyLinkedIn(answer: HttpAnswer, now: Date): ConnectorError {
  const oauth = classifyOAuthError('LINKEDIN', answer);
  if (oauth) return oauth;
  const body = parseJson<LinkedInError>(answer.text);
  const status = answer.status;
  const reason = `${body?.message ?? (answer.text.slice(0, 200) || `HTTP ${status}`)} (HTTP ${status}${body?.code ? `, ${body.code}` : ''}${body?.serviceErrorCode ? `, serviceErrorCode ${body.serviceErrorCode}` : ''})`;
  const info = { httpStatus: status, networkCode: body?.code ?? body?.serviceErrorCode, traceId: header(answer.headers, 'x-li-uuid') };
  if (status === 426 || body?.code === 'VERSION_MISSING' || body?.code === 'NONEXISTENT_VERSION') {
    return new ConnectorError('LINKEDIN', 'misconfigured', `API version refused: ${reason}; set a current Linkedin-Version (YYYYMM)`, info);
  }
  if (status === 401 || status === 403) return new ConnectorError('LINKEDIN', 'auth', reason, info);
  if (status === 429) {
    const resetAt = parseLinkedInReset(answer.headers, now);
    return new ConnectorError('LINKEDIN', 'rate_limited', `${reason}; retry after ${resetAt.toISOString()}`, { ...info, resetAt, scope: 'unknown' });
  }
  if (status >= 500) return new ConnectorError('LINKEDIN', 'transient', reason, info);
  // 400 bad field, 413 too large, 422 duplicate/invalid content.
  return new ConnectorError('LINKEDIN', 'invalid_content', reason, { ...info, duplicate: body?.code === 'DUPLICATE_POST' || /duplicate/i.test(body?.message ?? '') || undefined });
}
