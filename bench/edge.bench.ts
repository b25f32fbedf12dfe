import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { runMigrations } from '@lib/persistence';
import { authOrmOptions } from '../apps/auth/src/orm.config';
import { freePort, startStack } from '../tools/devstack/src';
import { spawnNode, stopProcess, waitForHealthy, type Spawned } from '../tools/dev/processes';
import pg from 'pg';
import { testSigningKeys } from '@lib/testing';

// `npm run bench:edge`: GET /api/v1/me and GET /api/v1/users (a page of 20) through the edge
// and the auth service, next to a bare Fastify + pg server doing the same reads, in one run.

const DURATION = Number(process.env.BENCH_EDGE_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_EDGE_CONNECTIONS ?? 16);

async function load(url: string, token: string): Promise<{ rps: number; p99: number; errors: number }> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers: { authorization: `Bearer ${token}` } });
  const errors = result.errors + result.timeouts + result.non2xx;
  return { rps: result.requests.average, p99: result.latency.p99, errors };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-edge-'));
  fs.chmodSync(dir, 0o755);
  const stack = await startStack({ dataDir: dir });
  const procs: Spawned[] = [];
  try {
    const dbUrl = stack.endpoints.postgres.databases.auth;
    await runMigrations(authOrmOptions(dbUrl));
    const keys = testSigningKeys();
    const common = {
      HOST: '127.0.0.1', LOG_LEVEL: 'warn', KAFKA_BROKERS: stack.endpoints.kafka.brokers.join(','), KAFKA_IDEMPOTENT: 'false',
      JWT_PUBLIC_KEY: keys.publicKey, // Kafka long-poll at its production default: no event latency is measured here
    };
    const [authPort, edgePort, basePort] = [await freePort(), await freePort(), await freePort()];
    const auth = spawnNode('auth', 'apps/auth/src/main.js', { ...common, PORT: String(authPort), DATABASE_URL: dbUrl, JWT_PRIVATE_KEY: keys.privateKey, TRUST_PROXY: 'true' });
    const edge = spawnNode('edge', 'apps/edge/src/main.js', { ...common, PORT: String(edgePort), AUTH_URL: `http://127.0.0.1:${authPort}`, RATE_LIMIT_IP_PER_MINUTE: '1000000', RATE_LIMIT_USER_PER_MINUTE: '1000000' });
    const baseline = spawnNode('baseline', 'bench/edge-baseline.server.js', { PORT: String(basePort), DATABASE_URL: dbUrl, JWT_PUBLIC_KEY: keys.publicKey });
    procs.push(auth, edge, baseline);
    await waitForHealthy(`http://127.0.0.1:${authPort}/health/ready`, auth, 30_000);
    await waitForHealthy(`http://127.0.0.1:${edgePort}/health/live`, edge, 30_000);

    // One workspace with 50 members: the owner signs up; the rest are inserted directly.
    const res = await fetch(`http://127.0.0.1:${edgePort}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench-owner@example.com', password: 'correct horse battery', name: 'Bench Owner', workspaceName: 'Bench' }),
    });
    if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
    const { accessToken, workspace } = (await res.json()) as { accessToken: string; workspace: { id: string } };
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    await db.query(
      `insert into users (id, email, password, name, role, "isActive", "workspaceId", preferences, "createdAt", "updatedAt")
       select gen_random_uuid(), 'member' || i || '@example.com', '$2b$12$' || repeat('x', 53), 'Member ' || i, 'VIEWER', true, $1, '{}', now() - i * interval '1 minute', now()
       from generate_series(1, 49) i`,
      [workspace.id],
    );
    await db.end();
    await waitFor(baseline);

    process.stdout.write(`bench:edge: ${DURATION} s per case, ${CONNECTIONS} connections, 2 cores shared by load generator and servers\n`);
    const rows: [string, Awaited<ReturnType<typeof load>>][] = [];
    for (const [name, url] of [
      ['edge → auth  GET /api/v1/me', `http://127.0.0.1:${edgePort}/api/v1/me`],
      ['bare fastify+pg  GET /api/v1/me', `http://127.0.0.1:${basePort}/api/v1/me`],
      ['auth alone (no edge)  GET /api/v1/me', `http://127.0.0.1:${authPort}/api/v1/me`],
      ['edge → auth  GET /api/v1/users?limit=20', `http://127.0.0.1:${edgePort}/api/v1/users?limit=20`],
      ['bare fastify+pg  GET /api/v1/users', `http://127.0.0.1:${basePort}/api/v1/users`],
    ] as const) {
      const r = await load(url, accessToken);
      rows.push([name, r]);
      process.stdout.write(`  ${name.padEnd(42)} ${r.rps.toFixed(0).padStart(7)} req/s   p99 ${String(r.p99).padStart(4)} ms   errors ${r.errors}\n`);
    }
    const ratio = (a: number, b: number) => (rows[a][1].rps / rows[b][1].rps).toFixed(3);
    process.stdout.write(`  throughput ratio edge/bare: /me ${ratio(0, 1)}, /users ${ratio(3, 4)}\n`);
    process.stdout.write(`  p99 ratio edge/bare: /me ${(rows[0][1].p99 / Math.max(1, rows[1][1].p99)).toFixed(2)}, /users ${(rows[3][1].p99 / Math.max(1, rows[4][1].p99)).toFixed(2)}\n`);
  } finally {
    await Promise.all(procs.map((p) => stopProcess(p)));
    await stack.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function waitFor(p: Spawned): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!p.lines.some((l) => l.includes('baseline ready'))) {
    if (Date.now() > deadline) throw new Error(`baseline did not start:\n${p.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
