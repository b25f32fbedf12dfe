import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { runMigrations } from '@lib/persistence';
import { createTestDatabase, testStack, waitFor, testSigningKeys } from '@lib/testing';
import { TokenCipher } from '../../apps/publishing/src/accounts/token-cipher';
import { publishingOrmOptions } from '../../apps/publishing/src/orm.config';
import { startEmulator, type RunningEmulator } from '../../tools/emulators/src';
import { freePort } from '../../tools/devstack/src/stack';
import { spawnNode, stopProcess, waitForHealthy, type Spawned } from '../../tools/dev/processes';

describe('the publishing service killed (SIGKILL) mid-publish', () => {
  const { pgUrl, brokers } = testStack();
  const tokenKey = { id: 'k1', key: randomBytes(32) };
  const cipher = new TokenCipher(tokenKey);
  const keys = testSigningKeys();
  const ws = randomUUID();
  let x: RunningEmulator;
  let db: pg.Pool;
  let url: string;
  const procs: Spawned[] = [];

  async function startService(): Promise<Spawned> {
    const port = await freePort();
    const proc = spawnNode('publishing', 'apps/publishing/src/main.js', {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_IDEMPOTENT: 'false',
      JWT_PUBLIC_KEY: keys.publicKey,
      DATABASE_URL: url,
      TOKEN_ENCRYPTION_KEYS: `${tokenKey.id}:${tokenKey.key.toString('base64')}`,
      X_CLIENT_ID: 'client-1',
      X_CLIENT_SECRET: 'secret-1',
      X_API_BASE_URL: x.url,
      X_AUTHORIZE_URL: `${x.url}/i/oauth2/authorize`,
      CONNECTOR_TIMEOUT_MS: '3000',
      PUBLISH_POLL_INTERVAL_MS: '50',
      PUBLISH_LEASE_MS: '1500',
      PUBLISH_RECONCILE_INTERVAL_MS: '300',
      PUBLISH_CONCURRENCY_PER_NETWORK: '8',
    });
    procs.push(proc);
    await waitForHealthy(`http://127.0.0.1:${port}/health/live`, proc, 30_000);
    return proc;
  }

  beforeAll(async () => {
    x = await startEmulator('twitter', { port: 0 });
    url = await createTestDatabase(pgUrl, 'crash');
    await runMigrations(publishingOrmOptions(url));
    db = new pg.Pool({ connectionString: url, max: 2 });
  });

  afterAll(async () => {
    for (const p of procs) await stopProcess(p);
    await db?.end();
    await x?.stop();
  });

  it('publishes every post exactly once after a restart', async () => {
    const run = randomUUID().slice(0, 8);
    const texts: string[] = [];
    for (let a = 0; a < 10; a++) {
      const seeded = x.control.seedAccount();
      const accountId = randomUUID();
      await db.query(
        `insert into social_accounts (id, "workspaceId", platform, "platformAccountId", username, "displayName", "accessToken", "refreshToken", "isActive", metadata, "createdAt", "updatedAt")
         values ($1, $2, 'TWITTER', $3, $4, $4, $5, $6, true, '{}', now(), now())`,
        [accountId, ws, seeded.accountId, seeded.username, cipher.encrypt(seeded.accessToken), seeded.refreshToken ? cipher.encrypt(seeded.refreshToken) : null],
      );
      const batch = Array.from({ length: 30 }, (_, i) => `crash ${run} account ${a} post ${i}`);
      texts.push(...batch);
      await db.query(
        `with input as (select unnest($1::text[]) as text, gen_random_uuid() as id, gen_random_uuid() as pp)
         , p as (insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
                 select id, $2, $2, jsonb_build_object('text', text), 'SCHEDULED', now(), '{}', false, now(), now() from input)
         , q as (insert into platform_posts (id, "postId", "accountId", platform, "publishStatus") select pp, id, $3, 'TWITTER', 'PENDING' from input)
         insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
         select pp, id, $2, 'pending', now(), now(), 0, false from input`,
        [batch, ws, accountId],
      );
    }
    // Slow answers keep many creates in flight when the process dies.
    x.control.slow(40);
    const published = async () => (await db.query<{ n: number }>(`select count(*)::int as n from platform_posts where "publishStatus" = 'PUBLISHED'`)).rows[0].n;
    const first = await startService();
    await waitFor(async () => (await published()) >= 60, 60_000, 'some posts to go out');
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await published();
    const onNetwork = x.control.posts().filter((p) => p.text.startsWith(`crash ${run}`)).length;
    // The network accepted creates the database never recorded: the dangerous window was hit.
    expect(onNetwork).toBeGreaterThan(atKill);

    await startService();
    await waitFor(async () => (await published()) === 300, 90_000, 'all 300 posts after the restart');
    const counts = new Map<string, number>();
    for (const p of x.control.posts()) counts.set(p.text, (counts.get(p.text) ?? 0) + 1);
    const wrong = texts.filter((t) => counts.get(t) !== 1);
    expect(wrong).toEqual([]);
  });
});
