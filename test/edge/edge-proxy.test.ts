import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { testStack, waitFor } from '@lib/testing';
import { freePort } from '../../tools/devstack/src/stack';
import { spawnNode, stopProcess, waitForHealthy, type Spawned } from '../../tools/dev/processes';

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
  let edge: Spawned;
  let base: string;

  beforeAll(async () => {
    await new Promise<void>((r) => upstream.server.listen(0, '127.0.0.1', r));
    const port = await freePort();
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    edge = spawnNode('edge', 'apps/edge/src/main.js', {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_IDEMPOTENT: 'false',
      JWT_PUBLIC_KEY: publicKey,
      PUBLISHING_URL: `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}`,
      PUBLISHING_TIMEOUT_MS: '500',
      BREAKER_RESET_MS: '2000',
      BREAKER_VOLUME_THRESHOLD: '3',
      EDGE_BODY_LIMIT_BYTES: '2048',
    });
    base = `http://127.0.0.1:${port}`;
    await waitForHealthy(`${base}/health/live`, edge, 30_000);
  });

  afterAll(async () => {
    if (edge) await stopProcess(edge);
    await new Promise((r) => upstream.server.close(r));
  });

  it('forwards to the owning service with the bearer token, body and correlation id', async () => {
    upstream.setMode('ok');
    const res = await fetch(`${base}/api/v1/posts?limit=5`, {
      method: 'POST',
      headers: { authorization: 'Bearer abc.def.ghi', 'content-type': 'application/json', 'x-correlation-id': 'corr-123' },
      body: JSON.stringify({ text: 'hello' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ path: '/api/v1/posts?limit=5', method: 'POST' });
    expect(res.headers.get('x-correlation-id')).toBe('corr-123');
    const hit = upstream.hits.at(-1)!;
    expect(hit.headers.authorization).toBe('Bearer abc.def.ghi');
    expect(hit.headers['x-correlation-id']).toBe('corr-123');
    expect(hit.body).toBe('{"text":"hello"}');
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
    upstream.setMode('slow');
    const slow = await fetch(`${base}/api/v1/posts`);
    expect(slow.status).toBe(504);
    expect(slow.headers.get('content-type')).toContain('application/problem+json');
    expect(await slow.json()).toMatchObject({ status: 504, code: 'EDGE.UPSTREAM_TIMEOUT', service: 'publishing' });

    // More failures open the breaker; then the edge stops calling the service at all.
    for (let i = 0; i < 3; i++) await fetch(`${base}/api/v1/posts`);
    const hitsWhenOpen = upstream.hits.length;
    const open = await fetch(`${base}/api/v1/posts`);
    expect(open.status).toBe(503);
    expect(open.headers.get('retry-after')).toBe('2');
    expect(await open.json()).toMatchObject({ status: 503, code: 'EDGE.UPSTREAM_UNAVAILABLE' });
    expect(upstream.hits.length).toBe(hitsWhenOpen);

    // The service recovers; after the reset timeout a trial call goes through and closes the breaker.
    upstream.setMode('ok');
    let status = 0;
    await waitFor(async () => {
      status = (await fetch(`${base}/api/v1/posts`)).status;
      return status === 201;
    }, 15_000, 'the service to be used again');
    expect(status).toBe(201);
    expect((await fetch(`${base}/api/v1/posts`)).status).toBe(201);
  });

  it("relays a service's own 503 answer as is", async () => {
    upstream.setMode('unavailable');
    const res = await fetch(`${base}/api/v1/posts`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 503, code: 'COMMON.UNAVAILABLE' });
    upstream.setMode('ok');
  });
});
