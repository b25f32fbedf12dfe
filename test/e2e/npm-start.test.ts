import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SERVICE_NAMES } from '@lib/contracts';
import { waitFor } from '@lib/testing';
import { freePort } from '../../tools/devstack/src/stack';
import { spawnNode, stopProcess, type Spawned } from '../../tools/dev/processes';

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Eight consecutive free ports for the edge and the seven services. */
async function freeRange(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    const checks = await Promise.all(Array.from({ length: SERVICE_NAMES.length }, (_, i) => isFree(base + i)));
    if (checks.every(Boolean)) return base;
  }
  throw new Error('no free port range');
}

describe('npm start, as a new user runs it', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-'));
  fs.chmodSync(dataDir, 0o755);
  let proc: Spawned | undefined;

  afterAll(async () => {
    if (proc) await stopProcess(proc, 20_000);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('brings up the stack and every service, prints the edge URL, and stops everything on Ctrl-C', async () => {
    const base = await freeRange();
    proc = spawnNode('start', 'tools/dev/start.js', {
      STACK_DATA_DIR: dataDir,
      STACK_PG_PORT: String(await freePort()),
      STACK_MONGO_PORT: String(await freePort()),
      PLATFORM_PORT_BASE: String(base),
      LOG_LEVEL: 'warn',
    });
    await waitFor(() => proc!.lines.some((l) => l.includes('Platform ready')) || proc!.child.exitCode !== null, 90_000, 'the platform to be ready');
    const output = proc.lines.join('\n');
    expect(output).toContain(`Platform ready`);
    expect(output).toContain(`${SERVICE_NAMES.length} services healthy`);
    expect(output).toContain(`Edge API: http://localhost:${base}/api/v1`);
    expect(output).toMatch(/auth: migrations up to date \(applied \d+\)/);
    // No network credentials in this environment: publishing talks to the local emulators.
    expect(output).toMatch(/networks emulated \(no credentials set\): twitter at http:\/\/127\.0\.0\.1:\d+, facebook at http:\/\/127\.0\.0\.1:\d+, linkedin at http:\/\/127\.0\.0\.1:\d+/);

    for (let i = 0; i < SERVICE_NAMES.length; i++) {
      const res = await fetch(`http://127.0.0.1:${base + i}/health/ready`);
      expect([SERVICE_NAMES[i], res.status]).toEqual([SERVICE_NAMES[i], 200]);
    }
    const endpoints = JSON.parse(fs.readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as { kafka: { brokers: string[] } };
    expect(endpoints.kafka.brokers).toHaveLength(3);
    // The edge reaches a real service: an unknown route there is the service's 404, as problem+json.
    const routed = await fetch(`http://127.0.0.1:${base}/api/v1/posts/no/such/route`);
    expect(routed.status).toBe(404);
    expect(routed.headers.get('content-type')).toContain('application/problem+json');

    // The networks send the browser back through the edge without a token: the state decides.
    const callback = await fetch(`http://127.0.0.1:${base}/api/v1/social-accounts/oauth/callback?code=c&state=unknown`);
    expect(callback.status).toBe(400);
    expect(((await callback.json()) as { code: string }).code).toBe('PUBLISHING.OAUTH_STATE_INVALID');

    // One OpenAPI document merged from every service's own, and its UI.
    const openapi = (await (await fetch(`http://127.0.0.1:${base}/api/openapi.json`)).json()) as { paths: Record<string, unknown>; tags: { name: string }[]; 'x-unavailable-services'?: string[] };
    expect(openapi['x-unavailable-services']).toBeUndefined();
    expect(openapi.tags.map((t) => t.name).sort()).toEqual(SERVICE_NAMES.filter((s) => s !== 'edge').sort());
    expect(Object.keys(openapi.paths)).toContain('/api/v1/events');
    const docs = await fetch(`http://127.0.0.1:${base}/api/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('/api/docs/swagger-ui-bundle.js');
    expect(await (await fetch(`http://127.0.0.1:${base}/api/docs/init.js`)).text()).toContain("url: '/api/openapi.json'");
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");

    // Ctrl-C: services first, then the stack; a clean exit and nothing left listening.
    proc.child.kill('SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([proc.exited, new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 30_000)))]);
    clearTimeout(timer);
    expect(code).toBe(0);
    expect(proc.lines.join('\n')).toContain('start: stopped');
    for (let i = 0; i < SERVICE_NAMES.length; i++) expect(await isFree(base + i)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  });
});
