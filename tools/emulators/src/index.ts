// Programmatic entry point: local emulators of the X, Facebook Graph and LinkedIn APIs, for
// connector tests and benchmarks. In-memory state; one network per server.
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { EmulatorCore, FAIL_KINDS, NETWORKS, type EmulatorControl, type FailKind, type Network, type SeededAccount } from './core';
import { registerFacebook } from './facebook.emulator';
import { registerLinkedIn } from './linkedin.emulator';
import { registerTwitter } from './twitter.emulator';

export * from './core';

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Added to every API answer (e.g. 20 for benchmarks). */
  latencyMs?: number;
}

export interface RunningEmulator {
  network: Network;
  /** Base URL: API, OAuth pages and the control API (`/_emulator/...`) all live here. */
  url: string;
  control: EmulatorControl;
  stop(): Promise<void>;
}

const REGISTER: Record<Network, (app: FastifyInstance, core: EmulatorCore) => (opts: { username?: string }) => SeededAccount> = {
  twitter: registerTwitter,
  facebook: registerFacebook,
  linkedin: registerLinkedIn,
};

export async function startEmulator(network: Network, opts: EmulatorOptions = {}): Promise<RunningEmulator> {
  if (!NETWORKS.includes(network)) throw new Error(`unknown network '${String(network)}' (expected ${NETWORKS.join(', ')})`);
  const core = new EmulatorCore(opts.latencyMs ?? 0);
  // fastify itself is not a declared dependency; @nestjs/platform-fastify is, and builds the instance.
  const app: FastifyInstance = new FastifyAdapter({
    logger: false,
    bodyLimit: 64 * 1024 * 1024,
    forceCloseConnections: true,
    // Graph API paths may carry a version (/v21.0/me); the emulator serves every version.
    rewriteUrl: (req: { url?: string }) => (network === 'facebook' ? (req.url ?? '/').replace(/^\/v\d+\.\d+(?=\/|$)/, '') || '/' : (req.url ?? '/')),
  }).getInstance();
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req) => {
    if (req.url.startsWith('/_emulator')) return;
    const record = { method: req.method, path: req.originalUrl.split('?')[0], at: new Date() } as { method: string; path: string; at: Date; status?: number };
    core.callList.push(record);
    (req as unknown as { emulatorCall: typeof record }).emulatorCall = record;
  });
  app.addHook('onResponse', async (req, reply) => {
    const record = (req as unknown as { emulatorCall?: { status?: number } }).emulatorCall;
    if (record) record.status = reply.statusCode;
  });

  const seed = REGISTER[network](app, core);
  const control = core.control(seed);
  registerControlApi(app, control);

  await app.listen({ port: opts.port ?? 0, host: opts.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const url = `http://${opts.host && opts.host !== '0.0.0.0' ? opts.host : '127.0.0.1'}:${port}`;
  core.baseUrl = url;
  return {
    network,
    url,
    control,
    stop: async () => {
      core.release();
      await app.close();
    },
  };
}

/** The same control surface over HTTP, for tests in another process. */
function registerControlApi(app: FastifyInstance, control: EmulatorControl): void {
  const num = (body: unknown, name: string, fallback?: number): number => {
    const v = (body as Record<string, unknown> | undefined)?.[name];
    const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : fallback;
    if (n === undefined || !Number.isFinite(n)) throw Object.assign(new Error(`'${name}' must be a number`), { statusCode: 400 });
    return n;
  };
  app.post('/_emulator/fail-next', async (req, reply) => {
    const body = (req.body ?? {}) as { n?: number; kind?: string; code?: number; resetInMs?: number };
    if (!FAIL_KINDS.includes(body.kind as FailKind)) return reply.code(400).send({ error: `kind must be one of ${FAIL_KINDS.join(', ')}` });
    control.failNext(num(body, 'n', 1), body.kind as FailKind, { code: body.code, resetInMs: body.resetInMs });
    return { ok: true };
  });
  app.post('/_emulator/rate-limit', async (req) => {
    control.rateLimit(num(req.body, 'untilMs'));
    return { ok: true };
  });
  app.post('/_emulator/slow', async (req) => {
    control.slow(num(req.body, 'ms'));
    return { ok: true };
  });
  app.post('/_emulator/accept-then-timeout', async (req) => {
    const holdMs = (req.body as { holdMs?: number } | undefined)?.holdMs;
    control.acceptThenTimeout(num(req.body, 'n', 1), holdMs);
    return { ok: true };
  });
  app.post('/_emulator/expire-tokens', async () => {
    control.expireTokens();
    return { ok: true };
  });
  app.post('/_emulator/seed-account', async (req) => control.seedAccount({ username: (req.body as { username?: string } | undefined)?.username }));
  app.post('/_emulator/approve-next-as', async (req, reply) => {
    const body = (req.body ?? {}) as { accountId?: unknown; withoutRefreshToken?: unknown };
    if (typeof body.accountId !== 'string' || !body.accountId) return reply.code(400).send({ error: 'accountId is required' });
    control.approveNextAs(body.accountId, { withoutRefreshToken: body.withoutRefreshToken === true });
    return { ok: true };
  });
  app.post('/_emulator/reset', async () => {
    control.reset();
    return { ok: true };
  });
  app.get('/_emulator/posts', async () => control.posts());
  app.get('/_emulator/calls', async () => control.calls());
}
