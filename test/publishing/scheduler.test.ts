import { randomBytes, randomUUID } from 'node:crypto';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { MikroOrmModule } from '@mikro-orm/nestjs';
import pg from 'pg';
import pino from 'pino';
import { LinkedInConnector, TwitterConnector, type Connector, type Platform } from '@lib/connectors';
import { Metrics } from '@lib/observability';
import { runMigrations } from '@lib/persistence';
import { KafkaModule, OutboxModule, PlatformModule, createHttpApp } from '@lib/service-kit';
import { createTestDatabase, testStack, waitFor, testSigningKeys } from '@lib/testing';
import { TokenCipher } from '../../apps/publishing/src/accounts/token-cipher';
import { ConnectorRegistry } from '../../apps/publishing/src/networks/connector-registry';
import { publishingOrmOptions } from '../../apps/publishing/src/orm.config';
import { PUBLISHER_OPTIONS } from '../../apps/publishing/src/scheduler/publisher.service';
import { PUBLISHER_WORKER_OPTIONS } from '../../apps/publishing/src/scheduler/publisher.worker';
import { SchedulePostService } from '../../apps/publishing/src/scheduler/schedule-post.service';
import { SchedulerModule } from '../../apps/publishing/src/scheduler/scheduler.module';
import { WorkspacesModule } from '../../apps/publishing/src/workspaces/workspaces.module';
import { startEmulator, type RunningEmulator } from '../../tools/emulators/src';

function linkedInVersion(): string {
  const d = new Date();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - 1);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

describe('scheduler and publisher: every due post goes out exactly once', () => {
  const { pgUrl, brokers } = testStack();
  const tokenKey = { id: 'k1', key: randomBytes(32) };
  const cipher = new TokenCipher(tokenKey);
  const ws = randomUUID();
  let x: RunningEmulator;
  let li: RunningEmulator;
  let connectors: Record<string, Connector>;
  let app: NestFastifyApplication;
  let db: pg.Pool;
  let xAccount: { id: string; seeded: { accountId: string; accessToken: string } };
  let liAccount: { id: string; seeded: { accountId: string; accessToken: string } };

  async function account(platform: Platform, seeded: { accountId: string; accessToken: string; refreshToken: string | null }): Promise<string> {
    const id = randomUUID();
    await db.query(
      `insert into social_accounts (id, "workspaceId", platform, "platformAccountId", username, "displayName", "accessToken", "refreshToken", "isActive", metadata, "createdAt", "updatedAt")
       values ($1, $2, $3, $4, $5, $5, $6, $7, true, '{}', now(), now())`,
      [id, ws, platform, seeded.accountId, `acme_${platform.toLowerCase()}`, cipher.encrypt(seeded.accessToken), seeded.refreshToken ? cipher.encrypt(seeded.refreshToken) : null],
    );
    return id;
  }

  /** Posts due now, one platform post each, straight into the tables (as scheduling leaves them). */
  async function duePosts(accountId: string, platform: Platform, texts: string[], due = new Date()): Promise<string[]> {
    const ids = texts.map(() => randomUUID());
    await db.query(
      `with input as (select unnest($1::uuid[]) as id, unnest($2::text[]) as text, gen_random_uuid() as pp)
       , p as (insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
               select id, $3, $3, jsonb_build_object('text', text), 'SCHEDULED', $6, '{}', false, now(), now() from input returning id)
       , pp as (insert into platform_posts (id, "postId", "accountId", platform, "publishStatus")
                select pp, id, $4, $5, 'PENDING' from input returning id, "postId")
       insert into publish_jobs ("platformPostId", "postId", "workspaceId", state, "dueAt", "nextAttemptAt", attempts, "mustReconcile")
       select pp.id, pp."postId", $3, 'pending', $6, $6, 0, false from pp`,
      [ids, texts, ws, accountId, platform, due],
    );
    return ids;
  }

  async function statuses(postIds: string[]): Promise<Record<string, number>> {
    const { rows } = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from posts where id = any($1) group by status`, [postIds]);
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  const countByText = (emu: RunningEmulator, text: string) => emu.control.posts().filter((p) => p.text === text).length;

  beforeAll(async () => {
    x = await startEmulator('twitter', { port: 0 });
    li = await startEmulator('linkedin', { port: 0 });
    const breaker = { volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 1000 };
    connectors = {
      TWITTER: new TwitterConnector({ apiBaseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'client-1', clientSecret: 'secret-1', timeoutMs: 800, breaker }),
      LINKEDIN: new LinkedInConnector({ apiBaseUrl: li.url, oauthBaseUrl: li.url, version: linkedInVersion(), clientId: 'li', clientSecret: 'li-secret', timeoutMs: 800, breaker }),
    };
    const url = await createTestDatabase(pgUrl, 'scheduler');
    await runMigrations(publishingOrmOptions(url));
    db = new pg.Pool({ connectionString: url, max: 4 });
    const kafka = { brokers, clientId: 'sched', idempotent: false, maxWaitMs: 10, sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 };
    const config = {
      service: 'publishing', port: 0, host: '127.0.0.1', logLevel: 'warn' as const, trustProxy: false, kafka,
      jwtPublicKey: testSigningKeys().publicKey,
      databaseUrl: url, outbox: { retentionHours: 24, pollIntervalMs: 200, batchSize: 500 }, tokenKeys: { current: tokenKey, others: [] },
    };
    const rt = { config, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), metrics: new Metrics('publishing') };
    class TestRegistry extends ConnectorRegistry {
      get(platform: Platform): Connector {
        const c = connectors[platform];
        if (!c) throw new Error(`${platform} is not configured`);
        return c;
      }
      configured(): Platform[] {
        return Object.keys(connectors) as Platform[];
      }
    }
    @Global()
    @Module({ providers: [{ provide: ConnectorRegistry, useClass: TestRegistry }], exports: [ConnectorRegistry] })
    class TestNetworks {}
    @Module({})
    class TestApp {
      static register(): DynamicModule {
        return {
          module: TestApp,
          imports: [
            PlatformModule.forRoot(rt),
            KafkaModule.forRoot(kafka),
            MikroOrmModule.forRoot(publishingOrmOptions(url)),
            OutboxModule.forRoot({ service: 'publishing', databaseUrl: url, outbox: config.outbox }),
            TestNetworks,
            WorkspacesModule,
            SchedulerModule,
          ],
          providers: [
            { provide: PUBLISHER_OPTIONS, useValue: { leaseMs: 1500, retryBaseMs: 100, retryMaxMs: 1000, maxAttempts: 4, batchSize: 200, perNetworkConcurrency: 16 } },
            { provide: PUBLISHER_WORKER_OPTIONS, useValue: { pollMs: 50, reconcileMs: 300 } },
          ],
          exports: [PUBLISHER_OPTIONS, PUBLISHER_WORKER_OPTIONS],
          global: true,
        };
      }
    }
    xAccount = { seeded: x.control.seedAccount(), id: '' };
    liAccount = { seeded: li.control.seedAccount(), id: '' };
    xAccount.id = await account('TWITTER', xAccount.seeded as never);
    liAccount.id = await account('LINKEDIN', liAccount.seeded as never);
    app = await createHttpApp(TestApp.register(), rt);
    await app.init();
  });

  afterAll(async () => {
    await app?.close();
    await db?.end();
    for (const c of Object.values(connectors ?? {})) await c.close();
    await x?.stop();
    await li?.stop();
  });

  it('publishes 1,000 posts due at the same moment exactly once each', async () => {
    const run = randomUUID().slice(0, 8);
    // X allows 100 posts per 15 min per user: 1,000 at once means many accounts (as real teams have).
    const accounts: string[] = [];
    for (let i = 0; i < 20; i++) accounts.push(await account('TWITTER', x.control.seedAccount() as never));
    const texts = Array.from({ length: 1000 }, (_, i) => `bulk ${run} #${i}`);
    const ids: string[] = [];
    for (let a = 0; a < accounts.length; a++) ids.push(...(await duePosts(accounts[a], 'TWITTER', texts.filter((_, i) => i % accounts.length === a))));
    await waitFor(async () => (await statuses(ids)).PUBLISHED === 1000, 90_000, '1,000 posts published');
    for (const t of texts) if (countByText(x, t) !== 1) throw new Error(`"${t}" was created ${countByText(x, t)} times`);
    const { rows } = await db.query<{ n: number }>(`select count(distinct "platformPostId")::int as n from platform_posts where "postId" = any($1) and "platformPostId" is not null`, [ids]);
    expect(rows[0].n).toBe(1000);
  });

  it('reconciles a create that timed out after the network accepted it, instead of posting twice', async () => {
    const text = `accepted then timed out ${randomUUID()}`;
    x.control.acceptThenTimeout(1, 3000);
    const [id] = await duePosts(xAccount.id, 'TWITTER', [text]);
    await waitFor(async () => (await statuses([id])).PUBLISHED === 1, 30_000, 'the reconciled post');
    expect(countByText(x, text)).toBe(1);
  });

  it('waits for the rate limit to reset (429), then publishes', async () => {
    const text = `rate limited ${randomUUID()}`;
    const resetAt = Date.now() + 2000;
    li.control.rateLimit(resetAt);
    const [id] = await duePosts(liAccount.id, 'LINKEDIN', [text]);
    await waitFor(async () => (await statuses([id])).PUBLISHED === 1, 30_000, 'the post after the reset');
    li.control.reset();
    const { rows } = await db.query<{ publishedAt: Date }>(`select "publishedAt" from platform_posts where "postId" = $1`, [id]);
    expect(rows[0].publishedAt.getTime()).toBeGreaterThanOrEqual(resetAt - 1000);
    expect(countByText(li, text)).toBe(1);
  });

  it("keeps within X's 100 posts per 15 min per account: the 101st waits for the window, without a 429, and other accounts go on", async () => {
    const busy = await account('TWITTER', x.control.seedAccount() as never);
    const calm = await account('TWITTER', x.control.seedAccount() as never);
    // 100 posts this account sent 5 to 6 minutes ago (recorded as sent by an earlier round).
    const earlier = await duePosts(busy, 'TWITTER', Array.from({ length: 100 }, (_, i) => `earlier ${randomUUID()} ${i}`), new Date(Date.now() + 3600_000));
    await db.query(
      `update publish_jobs set state = 'done', "firstAttemptAt" = now() - interval '6 minutes' + make_interval(secs => random() * 60) where "postId" = any($1)`,
      [earlier],
    );
    const oldest = (await db.query<{ t: Date }>(`select min("firstAttemptAt") as t from publish_jobs where "postId" = any($1)`, [earlier])).rows[0].t;
    const callsBefore = x.control.calls().filter((c) => c.method === 'POST' && c.path === '/2/tweets').length;
    const [held] = await duePosts(busy, 'TWITTER', [`one too many ${randomUUID()}`]);
    const [other] = await duePosts(calm, 'TWITTER', [`other account ${randomUUID()}`]);
    await waitFor(async () => (await statuses([other])).PUBLISHED === 1, 30_000, 'the other account publishes');
    await waitFor(async () => {
      const { rows } = await db.query<{ lastError: string | null }>(`select "lastError" from publish_jobs where "postId" = $1`, [held]);
      return !!rows[0].lastError;
    }, 30_000, 'the held post to be deferred');
    const { rows } = await db.query<{ lastError: string; nextAttemptAt: Date; state: string; attempts: number; firstAttemptAt: Date | null }>(
      `select "lastError", "nextAttemptAt", state, attempts, "firstAttemptAt" from publish_jobs where "postId" = $1`,
      [held],
    );
    expect(rows[0]).toMatchObject({ state: 'pending', attempts: 0, firstAttemptAt: null });
    expect(rows[0].lastError).toBe('TWITTER: 100 POST /2/tweets per 15 minutes per account reached; waiting for the window to move');
    // It goes when the oldest of the 100 leaves the 15-minute window, not before.
    expect(Math.abs(rows[0].nextAttemptAt.getTime() - (oldest.getTime() + 15 * 60_000))).toBeLessThan(1000);
    // Only the other account's post reached the network.
    expect(x.control.calls().filter((c) => c.method === 'POST' && c.path === '/2/tweets').length - callsBefore).toBe(1);
  });

  it('keeps the other networks going when one is down: its breaker opens, and its posts fail with a clear reason', async () => {
    li.control.failNext(1000, 'server_error');
    const run = randomUUID();
    const liCallsBefore = li.control.calls().length;
    const liPosts = await duePosts(liAccount.id, 'LINKEDIN', [1, 2, 3].map((i) => `li down ${run} ${i}`));
    const [xPost] = await duePosts(xAccount.id, 'TWITTER', [`x fine ${run}`]);
    await waitFor(async () => (await statuses([xPost])).PUBLISHED === 1, 30_000, 'the X post');
    await waitFor(async () => (await statuses(liPosts)).FAILED === 3, 60_000, 'the LinkedIn posts to fail');
    const liCalls = li.control.calls().length - liCallsBefore;
    li.control.reset();
    const { rows } = await db.query<{ error: string; publishStatus: string }>(`select error, "publishStatus" from platform_posts where "postId" = any($1)`, [liPosts]);
    for (const row of rows) {
      expect(row.publishStatus).toBe('FAILED');
      expect(row.error).toMatch(/^LINKEDIN: /);
      expect(row.error).not.toMatch(/an error occurred/i);
    }
    // Every attempt was counted, but once the breaker opened some never reached the network.
    const attempts = (await db.query<{ n: number }>(`select sum(attempts)::int as n from publish_jobs where "postId" = any($1)`, [liPosts])).rows[0].n;
    expect(attempts).toBe(12);
    expect(liCalls).toBeLessThan(attempts);
    const failed = await db.query<{ n: number }>(`select count(*)::int as n from outbox where topic = 'post.failed' and envelope->'data'->>'postId' = any($1)`, [liPosts]);
    expect(failed.rows[0].n).toBe(3);
  });

  it('takes over a job whose publisher died mid-publish and reconciles it: no duplicate', async () => {
    const text = `crashed mid-publish ${randomUUID()}`;
    // The dead replica had sent the create, and the network had accepted it.
    await connectors.TWITTER.publish({ accountId: xAccount.seeded.accountId, accessToken: xAccount.seeded.accessToken }, { text });
    // Queued for later first, so this replica can't claim it before it looks like the dead one's.
    const [id] = await duePosts(xAccount.id, 'TWITTER', [text], new Date(Date.now() + 3600_000));
    await db.query(
      `update publish_jobs set state = 'in_flight', "leaseUntil" = now() - interval '1 second', "leasedBy" = 'dead-replica', attempts = 1,
              "dueAt" = now(), "nextAttemptAt" = now(), "firstAttemptAt" = now() - interval '10 seconds', "sentText" = $2 where "postId" = $1`,
      [id, text],
    );
    await waitFor(async () => (await statuses([id])).PUBLISHED === 1, 30_000, 'the taken-over job');
    expect(countByText(x, text)).toBe(1);
  });

  it('does not let a replica whose lease ran out overwrite the job of the replica that took it over', async () => {
    const text = `lease lost ${randomUUID()}`;
    // X answers after the connector has given up (800 ms): the round records a retry at about 0.8 s.
    x.control.slow(1500);
    try {
      const [id] = await duePosts(xAccount.id, 'TWITTER', [text]);
      const job = async () =>
        (await db.query<{ state: string; leasedBy: string | null; lastError: string | null }>(`select state, "leasedBy", "lastError" from publish_jobs where "postId" = $1`, [id])).rows[0];
      await waitFor(async () => (await job()).state === 'in_flight', 10_000, 'this replica to claim the job');
      // Meanwhile its lease lapsed and another replica took the job over.
      await db.query(`update publish_jobs set "leasedBy" = 'replica-b', "leaseUntil" = now() + interval '1 hour' where "postId" = $1 and state = 'in_flight'`, [id]);
      await waitFor(async () => x.control.posts().some((p) => p.text === text), 10_000, 'the slow create to land');
      await new Promise((r) => setTimeout(r, 500)); // the round's outcome (a timeout) has been handled by now
      expect(await job()).toEqual({ state: 'in_flight', leasedBy: 'replica-b', lastError: null });
      expect(await statuses([id])).toEqual({ PUBLISHING: 1 });
      // Replica B dies too: its lease runs out, and the post is reconciled, not sent again.
      await db.query(`update publish_jobs set "leaseUntil" = now() - interval '1 second' where "postId" = $1`, [id]);
      x.control.reset();
      await waitFor(async () => (await statuses([id])).PUBLISHED === 1, 30_000, 'the reconciled post');
      expect(countByText(x, text)).toBe(1);
    } finally {
      x.control.reset();
    }
  });

  it('settles a post left PUBLISHING after all its networks had an outcome', async () => {
    const [stalled] = await duePosts(xAccount.id, 'TWITTER', [`stalled ${randomUUID()}`], new Date(Date.now() + 3600_000));
    // As two replicas recording its networks at once used to leave it: every send done, the post still PUBLISHING.
    await db.query(`update publish_jobs set state = 'done' where "postId" = $1`, [stalled]);
    await db.query(`update platform_posts set "publishStatus" = 'PUBLISHED', "platformPostId" = 'ext-1', "publishedAt" = now() - interval '2 minutes' where "postId" = $1`, [stalled]);
    await db.query(`update posts set status = 'PUBLISHING', "updatedAt" = now() - interval '2 minutes' where id = $1`, [stalled]);
    await waitFor(async () => (await statuses([stalled])).PUBLISHED === 1, 30_000, 'the stalled post to be settled');
    const { rows } = await db.query<{ publishedAt: Date | null }>(`select "publishedAt" from posts where id = $1`, [stalled]);
    expect(rows[0].publishedAt).not.toBeNull();
  });

  it('does not send a post that was taken back to DRAFT, whatever job was left behind', async () => {
    const run = randomUUID();
    // Queued for later, withdrawn, then made due: the job outlives the withdrawal, as a stale one would.
    const [withdrawn, kept] = await duePosts(xAccount.id, 'TWITTER', [`withdrawn ${run}`, `kept ${run}`], new Date(Date.now() + 3600_000));
    await db.query(`update posts set status = 'DRAFT' where id = $1`, [withdrawn]);
    await db.query(`update publish_jobs set "dueAt" = now(), "nextAttemptAt" = now() where "postId" = any($1)`, [[withdrawn, kept]]);
    // Both were due in the same round: once the other one is out, that round has passed the withdrawn one by.
    await waitFor(async () => (await statuses([kept])).PUBLISHED === 1, 30_000, 'the other post');
    expect(countByText(x, `withdrawn ${run}`)).toBe(0);
    expect(await statuses([withdrawn])).toEqual({ DRAFT: 1 });
  });

  it('rescheduling a partly failed post sends only to the networks that failed, never again to the one that published', async () => {
    const text = `partly failed ${randomUUID()}`;
    li.control.failNext(1000, 'server_error');
    const postId = randomUUID();
    await db.query(
      `insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
       values ($1, $2, $2, jsonb_build_object('text', $3::text), 'DRAFT', null, '{}', false, now(), now())`,
      [postId, ws, text],
    );
    await db.query(
      `insert into platform_posts (id, "postId", "accountId", platform, "publishStatus") values (gen_random_uuid(), $1, $2, 'TWITTER', 'PENDING'), (gen_random_uuid(), $1, $3, 'LINKEDIN', 'PENDING')`,
      [postId, xAccount.id, liAccount.id],
    );
    const scheduling = app.get(SchedulePostService);
    const actor = { userId: ws, workspaceId: ws, conditions: null };
    await scheduling.schedule(actor, postId, true);
    await waitFor(async () => (await statuses([postId])).FAILED === 1, 60_000, 'LinkedIn to fail and the post with it');
    expect(countByText(x, text)).toBe(1);
    li.control.reset();
    const again = await scheduling.schedule(actor, postId, true);
    expect(again.status).toBe('SCHEDULED');
    await waitFor(async () => (await statuses([postId])).PUBLISHED === 1, 30_000, 'the rescheduled post');
    expect(countByText(li, text)).toBe(1);
    expect(countByText(x, text)).toBe(1);
  });
});
