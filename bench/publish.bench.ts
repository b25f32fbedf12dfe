import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@lib/persistence';
import type { Connector } from '@lib/connectors';
import { TokenCipher } from '../apps/publishing/src/accounts/token-cipher';
import { loadPublishingConfig } from '../apps/publishing/src/config/publishing.config';
import { buildConnectors } from '../apps/publishing/src/networks/configured-connector-registry';
import { publishingOrmOptions } from '../apps/publishing/src/orm.config';
import { startEmulator, type RunningEmulator } from '../tools/emulators/src';
import { freePort, startStack } from '../tools/devstack/src';
import { spawnNode, stopProcess, waitForHealthy } from '../tools/dev/processes';
import { testSigningKeys } from '@lib/testing';

// `npm run bench:publish`: N posts (default 10,000) due in the same minute across the X,
// Facebook and LinkedIn emulators (20 ms latency each), published by one publishing service.
// Prints published count, duplicates, lateness p50/p99 (publish time − scheduledAt) and throughput,
// then the raw baseline: the same creates sent straight to the emulators through the connectors.

type Platform3 = 'TWITTER' | 'FACEBOOK' | 'LINKEDIN';

const N = Number(process.env.BENCH_PUBLISH_N ?? 10_000);
const LATENCY = Number(process.env.BENCH_PUBLISH_LATENCY_MS ?? 20);
// Per-account limits of the networks (X 100 per 15 min, LinkedIn 150 a day): enough accounts for N.
const PER_ACCOUNT = 90;

const CONCURRENCY = 32;

/** N creates over fresh accounts (as many, as many posts each), CONCURRENCY at a time per network; posts/s. */
async function rawBaseline(emus: Record<Platform3, RunningEmulator>, connectors: Map<string, Connector>, accounts: number, run: string): Promise<number> {
  const networks = Object.keys(emus) as Platform3[];
  const seeded = Array.from({ length: accounts }, (_, a) => ({ platform: networks[a % networks.length], account: emus[networks[a % networks.length]].control.seedAccount() }));
  const queues = new Map<Platform3, { accountId: string; accessToken: string; text: string }[]>(networks.map((n) => [n, []]));
  for (let i = 0; i < N; i++) {
    const { platform, account } = seeded[i % seeded.length];
    queues.get(platform)!.push({ accountId: account.accountId, accessToken: account.accessToken, text: `raw ${run} post ${i}` });
  }
  const started = Date.now();
  let failed = 0;
  await Promise.all(
    networks.flatMap((n) => {
      const queue = queues.get(n)!;
      const connector = connectors.get(n)!;
      return Array.from({ length: CONCURRENCY }, async () => {
        for (let job = queue.shift(); job; job = queue.shift()) {
          await connector.publish({ accountId: job.accountId, accessToken: job.accessToken }, { text: job.text }).catch(() => failed++);
        }
      });
    }),
  );
  if (failed) throw new Error(`raw baseline: ${failed} creates failed`);
  return N / ((Date.now() - started) / 1000);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-publish-'));
  fs.chmodSync(dir, 0o755);
  const stack = await startStack({ dataDir: dir, fastPostgres: true });
  const emus: Record<Platform3, RunningEmulator> = {
    TWITTER: await startEmulator('twitter', { port: 0, latencyMs: LATENCY }),
    FACEBOOK: await startEmulator('facebook', { port: 0, latencyMs: LATENCY }),
    LINKEDIN: await startEmulator('linkedin', { port: 0, latencyMs: LATENCY }),
  };
  const tokenKey = { id: 'k1', key: randomBytes(32) };
  const cipher = new TokenCipher(tokenKey);
  const url = stack.endpoints.postgres.databases.publishing;
  await runMigrations(publishingOrmOptions(url));
  const db = new pg.Pool({ connectionString: url, max: 4 });
  const ws = randomUUID();
  const run = randomUUID().slice(0, 8);
  let proc;
  try {
    // Accounts and posts: round-robin over networks, PER_ACCOUNT posts per account.
    const networks = Object.keys(emus) as (keyof typeof emus)[];
    const accountsNeeded = Math.ceil(N / PER_ACCOUNT);
    const due = new Date(Date.now() + 20_000);
    const byAccount: { id: string; platform: string; texts: string[] }[] = [];
    for (let a = 0; a < accountsNeeded; a++) {
      const platform = networks[a % networks.length];
      const seeded = emus[platform].control.seedAccount();
      const id = randomUUID();
      await db.query(
        `insert into social_accounts (id, "workspaceId", platform, "platformAccountId", username, "displayName", "accessToken", "refreshToken", "isActive", metadata, "createdAt", "updatedAt")
         values ($1, $2, $3, $4, $5, $5, $6, $7, true, '{}', now(), now())`,
        [id, ws, platform, seeded.accountId, seeded.username, cipher.encrypt(seeded.accessToken), seeded.refreshToken ? cipher.encrypt(seeded.refreshToken) : null],
      );
      byAccount.push({ id, platform, texts: [] });
    }
    for (let i = 0; i < N; i++) byAccount[i % byAccount.length].texts.push(`bench ${run} post ${i}`);
    for (const acc of byAccount) {
      await db.query(
        `with input as (select unnest($1::text[]) as text, gen_random_uuid() as id, gen_random_uuid() as pp)
         , p as (insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
                 select id, $2, $2, jsonb_build_object('text', text), 'SCHEDULED', $5, '{}', false, now(), now() from input)
         , q as (insert into platform_posts (id, "postId", "accountId", platform, "publishStatus") select pp, id, $3, $4, 'PENDING' from input)
         insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
         select pp, id, $2, 'pending', $5, $5, 0, false from input`,
        [acc.texts, ws, acc.id, acc.platform, due],
      );
    }
    const keys = testSigningKeys();
    const port = await freePort();
    const env = {
      PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', KAFKA_BROKERS: stack.endpoints.kafka.brokers.join(','), KAFKA_IDEMPOTENT: 'false',
      JWT_PUBLIC_KEY: keys.publicKey, DATABASE_URL: url, TOKEN_ENCRYPTION_KEYS: `${tokenKey.id}:${tokenKey.key.toString('base64')}`,
      X_CLIENT_ID: 'bench', X_CLIENT_SECRET: 'bench', X_API_BASE_URL: emus.TWITTER.url, X_AUTHORIZE_URL: `${emus.TWITTER.url}/i/oauth2/authorize`,
      FACEBOOK_APP_ID: 'bench', FACEBOOK_APP_SECRET: 'bench', FACEBOOK_GRAPH_BASE_URL: emus.FACEBOOK.url, FACEBOOK_DIALOG_BASE_URL: emus.FACEBOOK.url,
      LINKEDIN_CLIENT_ID: 'bench', LINKEDIN_CLIENT_SECRET: 'bench', LINKEDIN_API_BASE_URL: emus.LINKEDIN.url, LINKEDIN_OAUTH_BASE_URL: emus.LINKEDIN.url,
      PUBLISH_POLL_INTERVAL_MS: '100', PUBLISH_CONCURRENCY_PER_NETWORK: String(CONCURRENCY),
    };
    proc = spawnNode('publishing', 'apps/publishing/src/main.js', env);
    await waitForHealthy(`http://127.0.0.1:${port}/health/ready`, proc, 60_000);
    process.stdout.write(`bench:publish: ${N} posts due at ${due.toISOString()} over ${byAccount.length} accounts on 3 emulated networks (${LATENCY} ms latency)\n`);
    const deadline = Date.now() + 30 * 60_000;
    for (;;) {
      const { rows } = await db.query<{ done: number }>(`select count(*)::int as done from platform_posts where "publishStatus" in ('PUBLISHED', 'FAILED')`);
      if (rows[0].done >= N) break;
      if (Date.now() > deadline) throw new Error(`only ${rows[0].done} of ${N} done`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const { rows } = await db.query<{ status: string; lateness: number; at: Date }>(
      `select pp."publishStatus" as status, extract(epoch from (pp."publishedAt" - p."scheduledAt")) * 1000 as lateness, pp."publishedAt" as at
         from platform_posts pp join posts p on p.id = pp."postId"`,
    );
    const ok = rows.filter((r) => r.status === 'PUBLISHED');
    const lateness = ok.map((r) => Math.max(0, Number(r.lateness))).sort((a, b) => a - b);
    const counts = new Map<string, number>();
    for (const e of Object.values(emus)) for (const p of e.control.posts()) if (p.text.startsWith(`bench ${run}`)) counts.set(p.text, (counts.get(p.text) ?? 0) + 1);
    const duplicates = [...counts.values()].filter((n) => n > 1).length;
    const last = Math.max(...ok.map((r) => r.at.getTime()));
    const seconds = (last - due.getTime()) / 1000;
    process.stdout.write(`  published: ${ok.length} of ${N} (failed ${rows.length - ok.length})\n`);
    process.stdout.write(`  duplicates on the networks: ${duplicates}\n`);
    process.stdout.write(`  lateness p50 ${percentile(lateness, 50).toFixed(0)} ms, p99 ${percentile(lateness, 99).toFixed(0)} ms, max ${lateness[lateness.length - 1].toFixed(0)} ms\n`);
    const throughput = ok.length / Math.max(0.001, seconds);
    process.stdout.write(`  throughput: ${throughput.toFixed(0)} posts/s (all out ${seconds.toFixed(1)} s after they were due)\n`);
    await stopProcess(proc);
    proc = undefined;

    // Raw baseline: the same creates, straight to the same emulators through the same connectors,
    // CONCURRENCY at a time per network: no database, no scheduler, no leases, no outbox.
    const connectors = buildConnectors(loadPublishingConfig(env).networks);
    const raw = await rawBaseline(emus, connectors, byAccount.length, run);
    process.stdout.write(`  raw baseline (connectors straight to the emulators, ${CONCURRENCY} at a time per network): ${raw.toFixed(0)} posts/s\n`);
    process.stdout.write(`  publishing reaches ${((throughput / raw) * 100).toFixed(0)}% of the raw baseline\n`);
    for (const c of connectors.values()) await c.close?.();
  } finally {
    if (proc) await stopProcess(proc);
    await db.end();
    for (const e of Object.values(emus)) await e.stop();
    await stack.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
