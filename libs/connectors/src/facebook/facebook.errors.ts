import { ConnectorError } from '../connector-error';
import { header, parseJson, type Headers, type HttpAnswer } from '../network-http';
import { PLATFORM_LIMITS } from '../limits';

interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_msg?: string;
  is_transient?: boolean;
  fbtrace_id?: string;
}

/** Throttling codes: 4 app, 17 user, 32 page, 613 custom rate limit; 80001–80014 business use case. */
const THROTTLE_SCOPE: Record<number, 'app' | 'account'> = { 4: 'app', 17: 'account', 32: 'account', 613: 'account' };
const AUTH_CODES = new Set([102, 190, 10]);

export interface GraphUsage {
  /** Highest percentage in `x-app-usage` (call_count, total_time, total_cputime). */
  appPercent?: number;
  /** Highest percentage over the `x-business-use-case-usage` entries. */
  businessPercent?: number;
  /** From `estimated_time_to_regain_access` (minutes) when a use case is throttled. */
  regainAt?: Date;
}

function maxPercent(o: Record<string, unknown>): number | undefined {
  const nums = ['call_count', 'total_time', 'total_cputime'].map((k) => o[k]).filter((v): v is number => typeof v === 'number');
  return nums.length ? Math.max(...nums) : undefined;
}

/** Reads Meta's usage headers; every field is optional because Meta sends them selectively. */
export function parseGraphUsage(headers: Headers, now: Date): GraphUsage {
  const usage: GraphUsage = {};
  const app = parseJson<Record<string, unknown>>(header(headers, 'x-app-usage') ?? '');
  if (app && typeof app === 'object') usage.appPercent = maxPercent(app);
  const buc = parseJson<Record<string, Record<string, unknown>[]>>(header(headers, 'x-business-use-case-usage') ?? '');
  if (buc && typeof buc === 'object') {
    let pct: number | undefined;
    let regainMin = 0;
    for (const entries of Object.values(buc)) {
      for (const e of Array.isArray(entries) ? entries : []) {
        const p = maxPercent(e);
        if (p !== undefined) pct = Math.max(pct ?? 0, p);
        const m = e.estimated_time_to_regain_access;
        if (typeof m === 'number' && m > regainMin) regainMin = m;
      }
    }
    usage.businessPercent = pct;
    if (regainMin > 0) usage.regainAt = new Date(now.getTime() + regainMin * 60_000);
  }
  return usage;
}

export function parseGraphReset(headers: Headers, now: Date): Date {
  return parseGraphUsage(headers, now).regainAt ?? new Date(now.getTime() + PLATFORM_LIMITS.FACEBOOK.defaultThrottleBackoffMs);
}

export function classifyFacebook(answer: HttpAnswer, now: Date): ConnectorError {
  const err = parseJson<{ error?: GraphError }>(answer.text)?.error;
  const status = answer.status;
  const code = err?.code;
  const reason = `${err?.error_user_msg ?? err?.message ?? (answer.text.slice(0, 200) || `HTTP ${status}`)} (HTTP ${status}${code !== undefined ? `, code ${code}` : ''}${err?.error_subcode ? `/${err.error_subcode}` : ''})`;
  const info = { httpStatus: status, networkCode: code, networkSubcode: err?.error_subcode, traceId: err?.fbtrace_id };
  if (code !== undefined && (code in THROTTLE_SCOPE || (code >= 80001 && code <= 80014))) {
    const resetAt = parseGraphReset(answer.headers, now);
    const scope = THROTTLE_SCOPE[code] ?? 'account';
    return new ConnectorError('FACEBOOK', 'rate_limited', `${reason}; retry after ${resetAt.toISOString()}`, { ...info, resetAt, scope });
  }
  if (status === 401 || (code !== undefined && (AUTH_CODES.has(code) || (code >= 200 && code <= 299)))) {
    return new ConnectorError('FACEBOOK', 'auth', reason, info);
  }
  if (status >= 500 || err?.is_transient || code === 1 || code === 2) return new ConnectorError('FACEBOOK', 'transient', reason, info);
  // 101 bad app id/secret; 100/36008 redirect_uri differs from the dialog's: our configuration.
  if (code === 101 || (code === 100 && err?.error_subcode === 36008)) return new ConnectorError('FACEBOOK', 'misconfigured', reason, info);
  // 100/36007: the OAuth code is invalid or used; the user must connect again.
  if (code === 100 && err?.error_subcode === 36007) return new ConnectorError('FACEBOOK', 'auth', reason, info);
  // 100 invalid parameter, 506 duplicate post, 324 bad image, 368 blocked by policy…
  return new ConnectorError('FACEBOOK', 'invalid_content', reason, { ...info, duplicate: code === 506 || undefined });
}
