import { ConnectorError } from './connector-error';
import { classifyFacebook, parseGraphUsage } from './facebook/facebook.errors';
import type { HttpAnswer } from './network-http';
import { classifyLinkedIn, parseLinkedInReset } from './linkedin/linkedin.errors';
import { parseRetryAfter } from './oauth-errors';
import { redact } from './redact';
import { classifyTwitter, parseXReset } from './twitter/twitter.errors';

const now = new Date('2026-03-10T12:00:00.000Z');
const nowSec = now.getTime() / 1000;
const answer = (status: number, body: unknown, headers: Record<string, string> = {}): HttpAnswer => ({ status, headers, text: typeof body === 'string' ? body : JSON.stringify(body) });

describe('X classification', () => {
  it('429 with x-rate-limit-reset (epoch seconds) → rate_limited at that time, account scope', () => {
    const e = classifyTwitter(
      answer(429, { title: 'Too Many Requests', detail: 'Too Many Requests', type: 'about:blank', status: 429 }, { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(nowSec + 600) }),
      now,
    );
    expect(e).toBeInstanceOf(ConnectorError);
    expect(e.kind).toBe('rate_limited');
    expect(e.info.resetAt?.toISOString()).toBe('2026-03-10T12:10:00.000Z');
    expect(e.info.scope).toBe('account');
    expect(e.code).toBe('CONNECTORS.RATE_LIMITED');
  });

  it('the app-wide 24 h limit wins: every account waits for x-app-limit-24hour-reset', () => {
    const r = parseXReset({ 'x-rate-limit-reset': String(nowSec + 60), 'x-app-limit-24hour-limit': '10000', 'x-app-limit-24hour-remaining': '0', 'x-app-limit-24hour-reset': String(nowSec + 3_600) }, now);
    expect(r).toEqual({ resetAt: new Date(now.getTime() + 3_600_000), scope: 'app' });
    const u = parseXReset({ 'x-user-limit-24hour-remaining': '0', 'x-user-limit-24hour-reset': String(nowSec + 7_200) }, now);
    expect(u).toEqual({ resetAt: new Date(now.getTime() + 7_200_000), scope: 'account' });
  });

  it('429 without any reset header → the table default back-off (15 min)', () => {
    expect(parseXReset({}, now)).toEqual({ resetAt: new Date(now.getTime() + 15 * 60_000), scope: 'unknown' });
  });

  it('401, 403 duplicate, 400, 503 and token-endpoint errors keep X\'s reason', () => {
    expect(classifyTwitter(answer(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }), now).kind).toBe('auth');
    const dup = classifyTwitter(answer(403, { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 }), now);
    expect(dup.kind).toBe('invalid_content');
    expect(dup.message).toBe('TWITTER: You are not allowed to create a Tweet with duplicate content. (HTTP 403)');
    expect(dup.info.duplicate).toBe(true);
    expect(classifyTwitter(answer(403, { title: 'Client Forbidden', type: 'https://api.twitter.com/2/problems/client-forbidden', reason: 'client-not-enrolled', detail: 'client-not-enrolled' }), now).kind).toBe('misconfigured');
    expect(classifyTwitter(answer(400, { errors: [{ message: 'Requested tweet cannot be replied to' }], title: 'Invalid Request' }), now).message).toContain('cannot be replied to');
    expect(classifyTwitter(answer(503, { title: 'Service Unavailable', detail: 'Service Unavailable', status: 503 }), now).kind).toBe('transient');
    expect(classifyTwitter(answer(502, '<html>Bad Gateway</html>'), now).message).toContain('Bad Gateway');
    const refresh = classifyTwitter(answer(400, { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' }), now);
    expect(refresh.kind).toBe('auth');
    expect(refresh.message).toContain('Value passed for the token was invalid.');
    expect(classifyTwitter(answer(401, { error: 'invalid_client', error_description: 'Missing valid authorization header' }), now).kind).toBe('misconfigured');
  });
});

describe('Facebook classification', () => {
  const graph = (code: number, message: string, extra: Record<string, unknown> = {}) => ({ error: { message, type: 'OAuthException', code, fbtrace_id: 'AbC123', ...extra } });

  it.each([
    [4, 'app'],
    [17, 'account'],
    [32, 'account'],
    [613, 'account'],
    [80001, 'account'],
  ])('throttle code %i → rate_limited (%s)', (code, scope) => {
    const e = classifyFacebook(answer(400, graph(code, `(#${code}) limit reached`)), now);
    expect(e.kind).toBe('rate_limited');
    expect(e.info.scope).toBe(scope);
    expect(e.info.networkCode).toBe(code);
    expect(e.info.traceId).toBe('AbC123');
  });

  it('reset from x-business-use-case-usage estimated_time_to_regain_access (minutes), the largest entry', () => {
    const buc = { '112233': [{ type: 'pages', call_count: 100, total_cputime: 20, total_time: 30, estimated_time_to_regain_access: 7 }], '445566': [{ type: 'pages', call_count: 40, estimated_time_to_regain_access: 2 }] };
    const e = classifyFacebook(answer(400, graph(32, '(#32) Page request limit reached'), { 'x-business-use-case-usage': JSON.stringify(buc) }), now);
    expect(e.info.resetAt?.toISOString()).toBe('2026-03-10T12:07:00.000Z');
    expect(parseGraphUsage({ 'x-business-use-case-usage': JSON.stringify(buc) }, now).businessPercent).toBe(100);
  });

  it('x-app-usage gives a percentage but no time: the table default (1 h) applies', () => {
    const h = { 'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 12, total_time: 95 }) };
    expect(parseGraphUsage(h, now).appPercent).toBe(100);
    expect(classifyFacebook(answer(403, graph(4, '(#4) Application request limit reached'), h), now).info.resetAt?.toISOString()).toBe('2026-03-10T13:00:00.000Z');
  });

  it('190 (any subcode), 102 and permission codes → auth; 1/2/is_transient/5xx → transient; 506 → invalid_content', () => {
    const expired = classifyFacebook(answer(400, graph(190, 'Error validating access token: Session has expired on Tuesday.', { error_subcode: 463 })), now);
    expect(expired.kind).toBe('auth');
    expect(expired.message).toBe('FACEBOOK: Error validating access token: Session has expired on Tuesday. (HTTP 400, code 190/463)');
    expect(classifyFacebook(answer(403, graph(200, '(#200) Requires pages_manage_posts permission')), now).kind).toBe('auth');
    expect(classifyFacebook(answer(500, graph(2, 'An unexpected error has occurred.', { is_transient: true })), now).kind).toBe('transient');
    expect(classifyFacebook(answer(400, graph(1, 'An unknown error occurred')), now).kind).toBe('transient');
    expect(classifyFacebook(answer(400, graph(506, '(#506) Duplicate status message')), now).info).toMatchObject({ duplicate: true });
    expect(classifyFacebook(answer(400, graph(100, '(#100) Invalid parameter')), now).info.duplicate).toBeUndefined();
    expect(classifyFacebook(answer(400, { error: { message: 'x', code: 100, error_subcode: 36008 } }), now).kind).toBe('misconfigured');
    expect(classifyFacebook(answer(400, graph(100, '(#100) Invalid parameter', { error_user_msg: 'The link you shared is not valid.' })), now).message).toContain('The link you shared is not valid.');
  });
});

describe('LinkedIn classification', () => {
  it('429 + Retry-After (seconds or HTTP date) → rate_limited at that time', () => {
    const e = classifyLinkedIn(answer(429, { status: 429, serviceErrorCode: 101, code: 'TOO_MANY_REQUESTS', message: 'Resource level throttle APPLICATION DAY limit' }, { 'retry-after': '120' }), now);
    expect(e.kind).toBe('rate_limited');
    expect(e.info.resetAt?.toISOString()).toBe('2026-03-10T12:02:00.000Z');
    expect(parseRetryAfter('Tue, 10 Mar 2026 12:30:00 GMT', now)?.toISOString()).toBe('2026-03-10T12:30:00.000Z');
  });

  it('429 without Retry-After → next midnight UTC (daily limits reset then)', () => {
    expect(parseLinkedInReset({}, now).toISOString()).toBe('2026-03-11T00:00:00.000Z');
  });

  it('426 and VERSION_MISSING → misconfigured; 401/403 → auth; 422 duplicate → invalid_content; 5xx → transient', () => {
    const v = classifyLinkedIn(answer(426, { status: 426, code: 'NONEXISTENT_VERSION', message: 'Requested version 20200101 is not active' }), now);
    expect(v.kind).toBe('misconfigured');
    expect(v.message).toContain('Requested version 20200101 is not active');
    expect(classifyLinkedIn(answer(400, { status: 400, code: 'VERSION_MISSING', message: 'A version must be present.' }), now).kind).toBe('misconfigured');
    expect(classifyLinkedIn(answer(401, { status: 401, serviceErrorCode: 65601, code: 'EXPIRED_ACCESS_TOKEN', message: 'The token used in the request has expired' }), now).kind).toBe('auth');
    expect(classifyLinkedIn(answer(403, { status: 403, serviceErrorCode: 100, code: 'ACCESS_DENIED', message: 'Not enough permissions to access: partnerApiPostsExternal.CREATE' }), now).kind).toBe('auth');
    const dup = classifyLinkedIn(answer(422, { status: 422, code: 'DUPLICATE_POST', message: 'Content is a duplicate of urn:li:share:1' }), now);
    expect(dup.kind).toBe('invalid_content');
    expect(dup.info.duplicate).toBe(true);
    expect(classifyLinkedIn(answer(504, ''), now).kind).toBe('transient');
    expect(classifyLinkedIn(answer(400, { error: 'invalid_request', error_description: 'The provided authorization grant or refresh token is invalid, expired or revoked.' }), now).kind).toBe('auth');
  });
});

describe('redact', () => {
  it('removes tokens and secret-looking query fields', () => {
    expect(redact('bad token abcd1234efgh in request', ['abcd1234efgh'])).toBe('bad token [redacted] in request');
    expect(redact('GET /oauth/access_token?client_secret=s3cr3t&fb_exchange_token=EAAx&x=1', [])).toBe('GET /oauth/access_token?client_secret=[redacted]&fb_exchange_token=[redacted]&x=1');
  });
});
