import jwt from 'jsonwebtoken';
import { JWT_AUDIENCE, JWT_ISSUER } from '@lib/auth-verify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TOPICS, parseEnvelope, type EventEnvelope } from '@lib/contracts';
import { createConsumer, createKafka } from '@lib/messaging';
import { testStack, waitFor, testSigningKeys } from '@lib/testing';
import { stopProcess, type Spawned } from '../../tools/dev/processes';
import { startService } from '../support/services';

type Mode = 'ok' | 'slow' | 'unavailable';

/** Stands in for an internal service whose behaviour the test controls. */
function fakeService(): { server: http.Server; hits: { headers: http.IncomingHttpHeaders; body: string }[]; setMode(m: Mode): void } {
  let mode: Mode = 'ok';
  const hits: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ headers: req.headers, body });
      if (mode === 'slow') {
        setTimeout(() => res.writeHead(200).end('{}'), 3000);
      } else if (mode === 'unavailable') {
        res.writeHead(503, { 'content-type': 'application/problem+json' }).end('{"status":503,"code":"COMMON.UNAVAILABLE"}');
      } else {
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, method: req.method }));
      }
    });
  });
  return { server, hits, setMode: (m) => (mode = m) };
}

describe('edge → service over internal HTTP', () => {
  const { brokers } = testStack();
  const upstream = fakeService();
  // Its own upstream, so the breaker's window holds only what the breaker test does.
  const flaky = fakeService();
  let edge: Spawned;
  let base: string;
  const keys = testSigningKeys();
  const token = (sub: string) =>
    jwt.sign({ sub, workspaceId: 'w1', role: 'EDITOR' }, keys.privateKey, { algorithm: 'ES256', issuer: JWT_ISSUER, audience: JWT_AUDIENCE, expiresIn: '5m' });

  beforeAll(async () => {
    await new Promise<void>((r) => upstream.server.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => flaky.server.listen(0, '127.0.0.1', r));
    ({ proc: edge, base } = await startService('edge', {
      RATE_LIMIT_USER_PER_MINUTE: '5',
      CORS_ORIGINS: 'https://app.example.com',
      PUBLISHING_URL: `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`,
      PUBLISHING_TIMEOUT_MS: '500',
      INBOX_URL: `http://127.0.0.1:${(flaky.server.address() as AddressInfo).port}`,
      INBOX_TIMEOUT_MS: '500',
      BREAKER_RESET_MS: '2000',
      BREAKER_VOLUME_THRESHOLD: '3',
      EDGE_BODY_LIMIT_BYTES: '2048',
    }, { publicKey: keys.publicKey }));
  });

  afterAll(async () => {
    if (edge) await stopProcess(edge);
    await new Promise((r) => upstream.server.close(r));
    await new Promise((r) => flaky.server.close(r));
  });

  it('forwards to the owning service with the bearer token, body and correlation id', async () => {
    upstream.setMode('ok');
    const bearer = `Bearer ${token('forwarder')}`;
    const res = await fetch(`${base}/api/v1/posts?limit=5`, {
      method: 'POST',
      headers: { authorization: bearer, 'content-type': 'application/json', 'x-correlation-id': 'corr-123' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ path: '/api/v1/posts?limit=5', method: 'POST' });
    expect(res.headers.get('x-correlation-id')).toBe('corr-123');
    const hit = upstream.hits.at(-1)!;
    expect(hit.headers.authorization).toBe(bearer);
    expect(hit.headers['x-correlation-id']).toBe('corr-123');
    expect(hit.body).toBe('{"text":"hello"}');
  });

  it('emits an audit event for an authenticated mutating request, with the caller and outcome', async () => {
    const seen: EventEnvelope[] = [];
    const consumer = createConsumer(createKafka({ brokers, clientId: 'edge-audit-test' }), `edge-audit-${Date.now()}`, { maxWaitMs: 10, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.auditRecorded.name, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const e = parseEnvelope(message.value);
        if (e.correlationid === 'corr-123') seen.push(e);
      },
    });
    try {
      await waitFor(() => seen.length > 0, 30_000, 'the audit event of the POST');
      expect(seen[0]).toMatchObject({
        source: '/services/edge',
        workspaceid: 'w1',
        actor: 'user:forwarder',
        data: { action: 'posts.post', resourceType: 'posts', userId: 'forwarder', details: { method: 'POST', path: '/api/v1/posts', status: 201 }, ipAddress: '127.0.0.1' },
      });
      expect(JSON.stringify(seen[0])).not.toContain('eyJ'); // no token
    } finally {
      await consumer.disconnect();
    }
  });

  it('refuses a bad bearer token with 401 before any service sees it', async () => {
    const before = upstream.hits.length;
    for (const bad of ['Bearer not.a.token', 'Basic dXNlcjpwYXNz', `Bearer ${token('x')}tampered`]) {
      const res = await fetch(`${base}/api/v1/posts`, { headers: { authorization: bad } });
      expect([bad, res.status]).toEqual([bad, 401]);
      expect(((await res.json()) as { code: string }).code).toBe('AUTH.UNAUTHORIZED');
    }
    expect(upstream.hits.length).toBe(before);
  });

  it('limits each user’s request rate with 429 and Retry-After', async () => {
    upstream.setMode('ok');
    const user = token('busy-user');
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await fetch(`${base}/api/v1/posts`, { headers: { authorization: `Bearer ${user}` } })).status);
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const limited = await fetch(`${base}/api/v1/posts`, { headers: { authorization: `Bearer ${user}` } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { code: string }).code).toBe('COMMON.RATE_LIMITED');
    // Another user is not affected.
    expect((await fetch(`${base}/api/v1/posts`, { headers: { authorization: `Bearer ${token('calm-user')}` } })).status).toBe(201);
  });

  it('sends security headers, answers CORS preflights for allowed origins only, and serves /healthz and /readyz', async () => {
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const preflight = await fetch(`${base}/api/v1/posts`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const foreign = await fetch(`${base}/api/v1/posts`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 413 problem+json for a body over the limit, without calling the service', async () => {
    const before = upstream.hits.length;
    const res = await fetch(`${base}/api/v1/posts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('COMMON.PAYLOAD_TOO_LARGE');
    expect(upstream.hits.length).toBe(before);
  });

  it('answers 404 problem+json for a resource no service owns', async () => {
    const res = await fetch(`${base}/api/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'COMMON.NOT_FOUND', status: 404 });
  });

  it('answers 504 for a slow service, 503 once the breaker opens, and uses the service again when it is back', async () => {
    flaky.setMode('slow');
    const slow = await fetch(`${base}/api/v1/conversations`);
    expect(slow.status).toBe(504);
    expect(slow.headers.get('content-type')).toContain('application/problem+json');
    expect(await slow.json()).toMatchObject({ status: 504, code: 'EDGE.UPSTREAM_TIMEOUT', service: 'inbox' });

    // More failures open the breaker; then the edge stops calling the service at all.
    for (let i = 0; i < 3; i++) await fetch(`${base}/api/v1/conversations`);
    const hitsWhenOpen = flaky.hits.length;
    const open = await fetch(`${base}/api/v1/conversations`);
    expect(open.status).toBe(503);
    expect(open.headers.get('retry-after')).toBe('2');
    expect(await open.json()).toMatchObject({ status: 503, code: 'EDGE.UPSTREAM_UNAVAILABLE' });
    expect(flaky.hits.length).toBe(hitsWhenOpen);

    // The service recovers; after the reset timeout a trial call goes through and closes the breaker.
    flaky.setMode('ok');
    let status = 0;
    await waitFor(async () => {
      status = (await fetch(`${base}/api/v1/conversations`)).status;
      return status === 201;
    }, 15_000, 'the service to be used again');
    expect(status).toBe(201);
    expect((await fetch(`${base}/api/v1/conversations`)).status).toBe(201);
  });

  it("relays a service's own 503 answer as is", async () => {
    upstream.setMode('unavailable');
    const res = await fetch(`${base}/api/v1/posts`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 503, code: 'COMMON.UNAVAILABLE' });
    upstream.setMode('ok');
  });
});
