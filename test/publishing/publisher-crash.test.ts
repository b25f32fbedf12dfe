import { randomUUID } from 'node:crypto';
import { waitFor } from '@lib/testing';
import { startEmulator, type RunningEmulator } from '../../tools/emulators/src';
import { createPublishing, insertAccount, type Publishing } from './harness';

describe('the publishing service killed (SIGKILL) mid-publish', () => {
  const ws = randomUUID();
  let x: RunningEmulator;
  let svc: Publishing;
  let db: Publishing['db'];

  beforeAll(async () => {
    x = await startEmulator('twitter', { port: 0 });
    svc = await createPublishing({
      name: 'crash',
      health: 'live',
      env: {
        X_CLIENT_ID: 'client-1',
        X_CLIENT_SECRET: 'secret-1',
        X_API_BASE_URL: x.url,
        X_AUTHORIZE_URL: `${x.url}/i/oauth2/authorize`,
        CONNECTOR_TIMEOUT_MS: '3000',
        PUBLISH_POLL_INTERVAL_MS: '50',
        PUBLISH_LEASE_MS: '1500',
        PUBLISH_RECONCILE_INTERVAL_MS: '300',
        PUBLISH_CONCURRENCY_PER_NETWORK: '8',
      },
    });
    db = svc.db;
  });

  afterAll(async () => {
    await svc?.stop();
    await x?.stop();
  });

  it('publishes every post exactly once after a restart', async () => {
    const run = randomUUID().slice(0, 8);
    const texts: string[] = [];
    for (let a = 0; a < 10; a++) {
      const seeded = x.control.seedAccount();
      const accountId = await insertAccount(db, svc.cipher, {
        workspaceId: ws,
        platform: 'TWITTER',
        platformAccountId: seeded.accountId,
        username: seeded.username,
        accessToken: seeded.accessToken,
        refreshToken: seeded.refreshToken,
      });
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
    const first = await svc.start();
    const onNetworkNow = () => x.control.posts().filter((p) => p.text.startsWith(`crash ${run}`)).length;
    // Killed while creates the network accepted are not recorded yet (a round's outcomes are written together).
    await waitFor(async () => {
      const recorded = await published();
      return recorded >= 60 && onNetworkNow() > recorded;
    }, 60_000, 'some posts out, and more accepted by the network than recorded');
    first.child.kill('SIGKILL');
    await first.exited;
    const atKill = await published();
    const onNetwork = x.control.posts().filter((p) => p.text.startsWith(`crash ${run}`)).length;
    // The network accepted creates the database never recorded: the dangerous window was hit.
    expect(onNetwork).toBeGreaterThan(atKill);

    await svc.start();
    await waitFor(async () => (await published()) === 300, 90_000, 'all 300 posts after the restart');
    const counts = new Map<string, number>();
    for (const p of x.control.posts()) counts.set(p.text, (counts.get(p.text) ?? 0) + 1);
    const wrong = texts.filter((t) => counts.get(t) !== 1);
    expect(wrong).toEqual([]);
  });
});
