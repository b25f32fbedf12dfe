import { randomUUID } from 'node:crypto';
import { waitFor } from '@lib/testing';
import { emulatedNetworkEnv } from '../../tools/dev/env';
import { startEmulator, type RunningEmulator } from '../../tools/emulators/src';
import { createPublishing, insertEmulatedAccount, type Publishing } from './harness';

/**
 * Two replicas on one database, each post going to two networks: the replicas split a post's
 * sends between them and record their outcomes at the same moments. Every post must still end
 * PUBLISHED (a post's status follows all of its networks, whoever recorded the last one).
 */
describe('publishing replicas sharing the work of multi-network posts', () => {
  const ws = randomUUID();
  let x: RunningEmulator;
  let li: RunningEmulator;
  let svc: Publishing;
  let db: Publishing['db'];

  beforeAll(async () => {
    x = await startEmulator('twitter', { port: 0 });
    li = await startEmulator('linkedin', { port: 0 });
    svc = await createPublishing({
      name: 'replicas',
      env: {
        ...emulatedNetworkEnv({ twitter: x.url, linkedin: li.url }),
        PUBLISH_POLL_INTERVAL_MS: '20',
        PUBLISH_CONCURRENCY_PER_NETWORK: '8',
      },
    });
    db = svc.db;
  });

  afterAll(async () => {
    await svc?.stop();
    await x?.stop();
    await li?.stop();
  });

  const account = (emu: RunningEmulator, platform: string) => insertEmulatedAccount(svc, emu, ws, platform);

  it('ends every post PUBLISHED when two replicas record its networks at once', async () => {
    const run = randomUUID().slice(0, 8);
    // Within X's 100 per 15 min and LinkedIn's 150 a day per account.
    const xAccounts = [await account(x, 'TWITTER'), await account(x, 'TWITTER'), await account(x, 'TWITTER')];
    const liAccounts = [await account(li, 'LINKEDIN'), await account(li, 'LINKEDIN')];
    // 100 posts, all X sends queued before all LinkedIn ones: one replica's round takes a post's
    // X send while the other's takes its LinkedIn send, and both record them at about the same time.
    const texts = Array.from({ length: 100 }, (_, i) => `replicas ${run} ${i}`);
    await db.query(
      `with input as (select t.text, t.i, gen_random_uuid() as id, gen_random_uuid() as xpp, gen_random_uuid() as lpp from unnest($1::text[]) with ordinality as t(text, i))
       , p as (insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
               select id, $2, $2, jsonb_build_object('text', text), 'SCHEDULED', now() + interval '3 seconds', '{}', false, now(), now() from input)
       , pp as (insert into platform_posts (id, "postId", "accountId", platform, "publishStatus")
                select xpp, id, ($3::uuid[])[1 + i % 3], 'TWITTER'::platform, 'PENDING'::publish_status from input
                union all select lpp, id, ($4::uuid[])[1 + i % 2], 'LINKEDIN'::platform, 'PENDING'::publish_status from input
                returning id, "postId")
       insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
       select pp.id, pp."postId", $2, 'pending', now() + interval '3 seconds', now() + interval '3 seconds', 0, false from pp`,
      [texts, ws, xAccounts, liAccounts],
    );
    // Both replicas up before the posts are due, so both take part.
    await Promise.all([svc.start(), svc.start()]);
    const statuses = async () =>
      Object.fromEntries((await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from posts where "workspaceId" = $1 group by status`, [ws])).rows.map((r) => [r.status, r.n]));
    const jobsLeft = async () => (await db.query<{ n: number }>(`select count(*)::int as n from publish_jobs where "workspaceId" = $1 and state <> 'done'`, [ws])).rows[0].n;
    await waitFor(async () => (await jobsLeft()) === 0, 90_000, 'every send recorded');
    expect(await statuses()).toEqual({ PUBLISHED: 100 });
    for (const t of texts) {
      expect([t, x.control.posts().filter((p) => p.text === t).length, li.control.posts().filter((p) => p.text === t).length]).toEqual([t, 1, 1]);
    }
    // Both replicas did some of the work (a lease is `<replica>/<round>`).
    const { rows } = await db.query<{ n: number }>(`select count(distinct split_part("leasedBy", '/', 1))::int as n from publish_jobs where "workspaceId" = $1`, [ws]);
    expect(rows[0].n).toBe(2);
  });
});

/**
 * A round whose sends queue at a slow network's gate longer than their lease: another replica
 * takes the jobs over when the lease runs out, so the first must not send them late.
 */
describe('publishing replicas when a slow network makes sends wait past their lease', () => {
  const ws = randomUUID();
  let x: RunningEmulator;
  let svc: Publishing;

  beforeAll(async () => {
    x = await startEmulator('twitter', { port: 0, latencyMs: 400 });
    svc = await createPublishing({
      name: 'replicas_lease',
      env: {
        ...emulatedNetworkEnv({ twitter: x.url }),
        PUBLISH_POLL_INTERVAL_MS: '20',
        PUBLISH_RECONCILE_INTERVAL_MS: '100',
        PUBLISH_LEASE_MS: '2000',
        PUBLISH_CONCURRENCY_PER_NETWORK: '1',
      },
    });
  });

  afterAll(async () => {
    await svc?.stop();
    await x?.stop();
  });

  it('sends every post once: a send whose turn comes past half its lease waits for a later round', async () => {
    const run = randomUUID().slice(0, 8);
    const accounts = await Promise.all([0, 1, 2, 3].map(() => insertEmulatedAccount(svc, x, ws, 'TWITTER')));
    // 16 sends at 400 ms each, one at a time: a round that took them all would need 6.4 s, three leases.
    const texts = Array.from({ length: 16 }, (_, i) => `lease ${run} ${i}`);
    await svc.db.query(
      `with input as (select t.text, t.i, gen_random_uuid() as id, gen_random_uuid() as pp from unnest($1::text[]) with ordinality as t(text, i))
       , p as (insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
               select id, $2, $2, jsonb_build_object('text', text), 'SCHEDULED', now() + interval '3 seconds', '{}', false, now(), now() from input)
       , pp as (insert into platform_posts (id, "postId", "accountId", platform, "publishStatus")
                select pp, id, ($3::uuid[])[1 + i % 4], 'TWITTER'::platform, 'PENDING'::publish_status from input returning id, "postId")
       insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
       select pp.id, pp."postId", $2, 'pending', now() + interval '3 seconds', now() + interval '3 seconds', 0, false from pp`,
      [texts, ws, accounts],
    );
    await Promise.all([svc.start(), svc.start()]);
    const jobsLeft = async () => (await svc.db.query<{ n: number }>(`select count(*)::int as n from publish_jobs where "workspaceId" = $1 and state <> 'done'`, [ws])).rows[0].n;
    await waitFor(async () => (await jobsLeft()) === 0, 60_000, 'every send recorded');
    const { rows } = await svc.db.query<{ status: string; n: number }>(`select status, count(*)::int as n from posts where "workspaceId" = $1 group by status`, [ws]);
    expect(Object.fromEntries(rows.map((r) => [r.status, r.n]))).toEqual({ PUBLISHED: 16 });
    for (const t of texts) expect([t, x.control.posts().filter((p) => p.text === t).length]).toEqual([t, 1]);
    // One create call per post: no late second create (X would refuse it as a duplicate; other networks would publish it).
    const creates = x.control.calls().filter((c) => c.method === 'POST' && c.path === '/2/tweets');
    expect(creates.map((c) => c.status)).toEqual(texts.map(() => 201));
  });
});
