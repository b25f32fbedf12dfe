import { ConnectorError } from '../connector-error';
import { header, parseJson, type Headers, type HttpAnswer } from '../network-http';
import { PLATFORM_LIMITS } from '../limits';
import { classifyOAuthError } from '../oauth-errors';

interface XProblem {
  title?: string;
  detail?: string;
  type?: string;
  status?: number;
  errors?: { message?: string; code?: number; title?: string; detail?: string }[];
}

function epochSeconds(v: string | undefined): Date | undefined {
  if (!v || !/^\d+$/.test(v.trim())) return undefined;
  return new Date(Number(v) * 1000);
}

/**
 * When a throttled X call can succeed again. X sends no Retry-After: the app-wide 24 h limit
 * (`x-app-limit-24hour-*`, shared by every account) wins over the user's 24 h limit, which wins
 * over the endpoint window (`x-rate-limit-reset`, epoch seconds).
 */
export function parseXReset(headers: Headers, now: Date): { resetAt: Date; scope: 'app' | 'account' | 'unknown' } {
  if (header(headers, 'x-app-limit-24hour-remaining') === '0') {
    const at = epochSeconds(header(headers, 'x-app-limit-24hour-reset'));
    if (at) return { resetAt: at, scope: 'app' };
  }
  if (header(headers, 'x-user-limit-24hour-remaining') === '0') {
    const at = epochSeconds(header(headers, 'x-user-limit-24hour-reset'));
    if (at) return { resetAt: at, scope: 'account' };
  }
  const at = epochSeconds(header(headers, 'x-rate-limit-reset'));
  if (at) return { resetAt: at, scope: 'account' };
  return { resetAt: new Date(now.getTime() + PLATFORM_LIMITS.TWITTER.defaultThrottleBackoffMs), scope: 'unknown' };
}

function reasonOf(body: XProblem | undefined, fallback: string): string {
  if (!body) return fallback;
  const first = body.errors?.[0];
  return body.detail ?? first?.message ?? first?.detail ?? body.title ?? fallback;
}

export function classifyTwitter(answer: HttpAnswer, now: Date): ConnectorError {
  const oauth = classifyOAuthError('TWITTER', answer);
  if (oauth) return oauth;
  const body = parseJson<XProblem>(answer.text);
  const status = answer.status;
  const reason = `${reasonOf(body, answer.text.slice(0, 200) || `HTTP ${status}`)} (HTTP ${status})`;
  const info = { httpStatus: status, networkCode: body?.type ?? body?.errors?.[0]?.code, traceId: header(answer.headers, 'x-transaction-id') };
  if (status === 401) return new ConnectorError('TWITTER', 'auth', reason, info);
  if (status === 429) {
    const { resetAt, scope } = parseXReset(answer.headers, now);
    return new ConnectorError('TWITTER', 'rate_limited', `${reason}; ${scope === 'app' ? 'app-wide' : 'account'} limit resets at ${resetAt.toISOString()}`, { ...info, resetAt, scope });
  }
  if (status >= 500) return new ConnectorError('TWITTER', 'transient', reason, info);
  if (status === 403 && /client-not-enrolled|not permitted|unsupported authentication/i.test(`${body?.type ?? ''} ${reason}`)) {
    return new ConnectorError('TWITTER', 'misconfigured', reason, info);
  }
  // 400 bad request, 403 duplicate content or not allowed for this post, 413 too large.
  return new ConnectorError('TWITTER', 'invalid_content', reason, { ...info, duplicate: /duplicate content/i.test(reason) || undefined });
}
