import { execFileSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { runMigrations } from '@lib/persistence';
import { createTestDatabase, testStack, testSigningKeys } from '@lib/testing';
import { authOrmOptions } from '../../apps/auth/src/orm.config';
import { stopProcess, type Spawned } from '../../tools/dev/processes';
import { startService } from '../support/services';

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

export interface AuthService {
  /** auth itself (internal routes); `call` goes through the edge, as clients do. */
  base: string;
  edge: Spawned;
  db: pg.Pool;
  keys: { publicKey: string; privateKey: string };
  proc: Spawned;
  call<T = Record<string, unknown>>(method: string, url: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<HttpAnswer<T>>;
  stop(): Promise<void>;
}

/** Builds the code, gives auth a fresh migrated database and starts the built service. */
export async function startAuth(opts: { keys?: { publicKey: string; privateKey: string }; edgeEnv?: Record<string, string> } = {}): Promise<AuthService> {
  execFileSync(process.execPath, [path.join(__dirname, '../../tools/build.js'), '--quiet'], { stdio: 'inherit' });
  const { pgUrl } = testStack();
  const url = await createTestDatabase(pgUrl, 'auth');
  await runMigrations(authOrmOptions(url));
  const keys = opts.keys ?? testSigningKeys();
  const { proc, base } = await startService(
    'auth',
    {
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      KAFKA_MAX_WAIT_MS: '10',
      JWT_PRIVATE_KEY: keys.privateKey,
      DATABASE_URL: url,
      // Lets tests stand in for different client addresses (the Ingress sets it in production).
      TRUST_PROXY: 'true',
    },
    { publicKey: keys.publicKey },
  );
  // Every call goes through the edge, end to end, as a web client's would.
  const { proc: edge, base: edgeBase } = await startService(
    'edge',
    {
      KAFKA_MAX_WAIT_MS: '10',
      AUTH_URL: base,
      // Tests stand in for different client addresses with X-Forwarded-For, as an Ingress would set it.
      TRUST_PROXY: 'true',
      RATE_LIMIT_IP_PER_MINUTE: '100000',
      RATE_LIMIT_USER_PER_MINUTE: '100000',
      ...(opts.edgeEnv ?? {}),
    },
    { publicKey: keys.publicKey },
  );
  const db = new pg.Pool({ connectionString: url, max: 2 });
  return {
    base,
    edge,
    db,
    keys,
    proc,
    async call(method, url, opts = {}) {
      const headers: Record<string, string> = { ...(opts.headers ?? {}) };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (opts.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${edgeBase}${url}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers } as never;
    },
    async stop() {
      await stopProcess(edge);
      await stopProcess(proc);
      await db.end();
    },
  };
}

export interface SignedIn {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string; role: string; workspaceId: string };
  workspace: { id: string; slug: string; plan: string; limits: Record<string, number | null> };
}

let counter = 0;
/** A unique address per call, so tests never collide on the global email uniqueness. */
export function email(prefix: string): string {
  counter++;
  return `${prefix}.${Date.now().toString(36)}${counter}@example.com`;
}

export const PASSWORD = 'correct horse battery';

export async function register(svc: AuthService, input: { email?: string; workspaceName?: string; password?: string; ip?: string } = {}): Promise<SignedIn & { password: string }> {
  const password = input.password ?? PASSWORD;
  const res = await svc.call<SignedIn>('POST', '/api/v1/auth/register', {
    body: { email: input.email ?? email('owner'), password, name: 'Olive Owner', workspaceName: input.workspaceName ?? 'Acme' },
    headers: input.ip ? { 'x-forwarded-for': input.ip } : {},
  });
  if (res.status !== 201) throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...res.body, password };
}

/** Every row of every table of the database, as text: for secret scans. */
export async function dumpDatabase(db: pg.Pool): Promise<Map<string, string>> {
  const { rows } = await db.query<{ table_name: string }>(`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`);
  const out = new Map<string, string>();
  for (const { table_name } of rows) {
    const r = await db.query<{ row: string }>(`select t::text as row from "${table_name}" t`);
    out.set(table_name, r.rows.map((x) => x.row).join('\n'));
  }
  return out;
}
