import { randomUUID } from 'node:crypto';
import { waitFor } from '@lib/testing';
import { startEmulator, type RunningEmulator } from '../../tools/emulators/src';
import { callAs, insertAccount, signToken, startPublishing, type Publishing } from './harness';

interface Body {
  id: string;
  status: string;
  name: string;
  description: string | null;
  budget: number | null;
  goals: Record<string, number>;
  utmParams: Record<string, string>;
  startDate: string;
  endDate: string;
  campaignId?: string | null;
  postCounts?: Record<string, number>;
  code?: string;
  allowed?: string[];
  errors?: { field: string; messages: string[] }[];
  items?: Body[];
  nextCursor?: string | null;
}

describe('publishing: campaigns, and UTM parameters at publish time', () => {
  const ws = randomUUID();
  const otherWs = randomUUID();
  const user = randomUUID();
  let x: RunningEmulator;
  let svc: Publishing;
  let db: Publishing['db'];
  let twitter: string;
  let linkedin: string;

  const call = (method: string, path: string, body?: unknown, role = 'MANAGER', workspaceId = ws, perms?: unknown) =>
    callAs(svc.base, signToken(svc.keys, { sub: user, workspaceId, role, perms }))<Body>(method, path, body);
  const fields = (b: Body) => (b.errors ?? []).map((e) => e.field).sort();
  const count = async (sql: string, params: unknown[] = []) => (await db.query<{ n: number }>(sql, params)).rows[0].n;

  const account = (platform: string, seeded: { accountId: string; accessToken: string }) =>
    insertAccount(db, svc.cipher, { workspaceId: ws, platform, platformAccountId: seeded.accountId, accessToken: seeded.accessToken });

  const campaign = (over: Record<string, unknown> = {}) => ({
    name: 'Spring launch',
    description: 'Everything about the spring launch',
    startDate: '2027-03-01T00:00:00Z',
    endDate: '2027-04-30T23:59:59Z',
    goals: { impressions: 100000, clicks: 2000 },
    budget: 1500.5,
    tags: ['spring'],
    utmParams: { utm_medium: 'social', utm_campaign: 'spring' },
    ...over,
  });

  beforeAll(async () => {
    x = await startEmulator('twitter', { port: 0 });
    svc = await startPublishing({
      name: 'campaigns',
      env: {
        X_CLIENT_ID: 'client-1',
        X_CLIENT_SECRET: 'secret-1',
        X_API_BASE_URL: x.url,
        X_AUTHORIZE_URL: `${x.url}/i/oauth2/authorize`,
        PUBLISH_POLL_INTERVAL_MS: '50',
      },
    });
    db = svc.db;
    twitter = await account('TWITTER', x.control.seedAccount());
    // Scheduled for later only (never published here): no LinkedIn network is needed.
    linkedin = await account('LINKEDIN', { accountId: 'urn:li:person:test', accessToken: 'li-token' });
  });

  afterAll(async () => {
    await svc?.stop();
    await x?.stop();
  });

  it('creates a campaign, reads it with its post counts, and changes it (never its status) with PATCH', async () => {
    const created = await call('POST', '/api/v1/campaigns', campaign());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Spring launch',
      status: 'DRAFT',
      goals: { impressions: 100000, clicks: 2000 },
      budget: 1500.5,
      utmParams: { utm_medium: 'social', utm_campaign: 'spring' },
      startDate: '2027-03-01T00:00:00.000Z',
    });
    await call('POST', '/api/v1/posts', { content: { text: 'in the campaign' }, campaignId: created.body.id }, 'EDITOR');
    const read = await call('GET', `/api/v1/campaigns/${created.body.id}`, undefined, 'VIEWER');
    expect(read.status).toBe(200);
    expect(read.body.postCounts).toMatchObject({ DRAFT: 1, SCHEDULED: 0, PUBLISHED: 0, total: 1 });

    const patched = await call('PATCH', `/api/v1/campaigns/${created.body.id}`, { name: 'Spring launch 2027', budget: null, utmParams: { utm_campaign: 'spring27' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Spring launch 2027', budget: null, utmParams: { utm_campaign: 'spring27' }, description: 'Everything about the spring launch', status: 'DRAFT' });
    const status = await call('PATCH', `/api/v1/campaigns/${created.body.id}`, { status: 'ACTIVE' });
    expect(status.status).toBe(400);
    expect(fields(status.body)).toEqual(['status']);
    // endDate checked against the stored startDate when only one of them changes.
    const early = await call('PATCH', `/api/v1/campaigns/${created.body.id}`, { endDate: '2027-02-01T00:00:00Z', name: 'not saved' });
    expect(early.status).toBe(400);
    expect(fields(early.body)).toEqual(['endDate']);
    const cleared = await call('PATCH', `/api/v1/campaigns/${created.body.id}`, { name: null, goals: { clicks: -1 } });
    expect(cleared.status).toBe(400);
    expect(fields(cleared.body)).toEqual(['goals', 'name']);
    const after = await call('GET', `/api/v1/campaigns/${created.body.id}`);
    expect(after.body).toMatchObject({ name: 'Spring launch 2027', status: 'DRAFT', endDate: '2027-04-30T23:59:59.000Z', goals: { impressions: 100000, clicks: 2000 } });
  });

  it('names every bad field and stores nothing', async () => {
    const before = await count('select count(*)::int as n from campaigns');
    const bad = await call(
      'POST',
      '/api/v1/campaigns',
      campaign({
        name: '   ',
        startDate: '2027-05-01T00:00:00Z',
        endDate: '2027-04-01T00:00:00Z',
        budget: -5,
        goals: { clicks: 'many', impressions: -1 },
        utmParams: { utm_source: 'bell\u0007', ref: 'x', utm_term: '' },
        colour: 'red',
      }),
    );
    expect(bad.status).toBe(400);
    expect(fields(bad.body)).toEqual(['budget', 'colour', 'endDate', 'goals', 'name', 'utmParams.ref', 'utmParams.utm_source', 'utmParams.utm_term']);
    const tooMany = await call('POST', '/api/v1/campaigns', campaign({ goals: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`g${i}`, i])) }));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors).toEqual([{ field: 'goals', messages: ['goals may name at most 20 targets'] }]);
    const missing = await call('POST', '/api/v1/campaigns', { name: 'x' });
    expect(fields(missing.body)).toEqual(['endDate', 'startDate']);
    const notObject = await call('POST', '/api/v1/campaigns', campaign({ goals: [1, 2], utmParams: 'utm_source=x' }));
    expect(fields(notObject.body)).toEqual(['goals', 'utmParams']);
    expect(await count('select count(*)::int as n from campaigns')).toBe(before);
    // Goals may come later.
    const { goals: _goals, ...withoutGoals } = campaign();
    const noGoals = await call('POST', '/api/v1/campaigns', withoutGoals);
    expect([noGoals.status, noGoals.body.goals]).toEqual([201, {}]);
  });

  it('moves through DRAFT → ACTIVE ⇄ PAUSED → COMPLETED, refusing other moves with 409 naming the allowed ones', async () => {
    const { body: c } = await call('POST', '/api/v1/campaigns', campaign());
    const to = (status: string) => call('POST', `/api/v1/campaigns/${c.id}/transitions`, { to: status });
    const paused = await to('PAUSED');
    expect(paused.status).toBe(409);
    expect(paused.body).toMatchObject({ code: 'PUBLISHING.CAMPAIGN_ILLEGAL_TRANSITION', allowed: ['ACTIVE'] });
    for (const s of ['ACTIVE', 'PAUSED', 'ACTIVE', 'COMPLETED']) {
      const moved = await to(s);
      expect([s, moved.status, moved.body.status]).toEqual([s, 200, s]);
    }
    const final = await to('ACTIVE');
    expect(final.status).toBe(409);
    expect(final.body.allowed).toEqual([]);
    expect((await call('POST', `/api/v1/campaigns/${c.id}/transitions`, { to: 'ARCHIVED' })).status).toBe(400);
    const { rows } = await db.query<{ action: string }>(
      `select envelope->'data'->>'action' as action from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1 order by seq`,
      [c.id],
    );
    expect(rows.map((r) => r.action)).toEqual(['campaign.created', ...Array(4).fill('campaign.status_changed')]);
  });

  it('lists newest first with status, date-range overlap and tag filters and an opaque cursor', async () => {
    const tag = `t${randomUUID().slice(0, 8)}`;
    const march = (await call('POST', '/api/v1/campaigns', campaign({ tags: [tag], startDate: '2027-03-01T00:00:00Z', endDate: '2027-03-31T00:00:00Z' }))).body;
    const summer = (await call('POST', '/api/v1/campaigns', campaign({ tags: [tag], startDate: '2027-06-01T00:00:00Z', endDate: '2027-08-31T00:00:00Z' }))).body;
    const year = (await call('POST', '/api/v1/campaigns', campaign({ tags: [tag], startDate: '2027-01-01T00:00:00Z', endDate: '2027-12-31T00:00:00Z' }))).body;
    await call('POST', `/api/v1/campaigns/${summer.id}/transitions`, { to: 'ACTIVE' });
    const ids = async (query: string) => (await call('GET', `/api/v1/campaigns?tag=${tag}${query}`, undefined, 'VIEWER')).body.items!.map((c) => c.id);
    expect(await ids('')).toEqual([year.id, summer.id, march.id]);
    expect(await ids('&status=ACTIVE')).toEqual([summer.id]);
    expect(await ids('&from=2027-04-01T00:00:00Z&to=2027-05-31T00:00:00Z')).toEqual([year.id]);
    expect(await ids('&from=2027-03-15T00:00:00Z&to=2027-06-15T00:00:00Z')).toEqual([year.id, summer.id, march.id]);
    const page1 = await call('GET', `/api/v1/campaigns?tag=${tag}&limit=2`);
    expect(page1.body.items!.map((c) => c.id)).toEqual([year.id, summer.id]);
    const page2 = await call('GET', `/api/v1/campaigns?tag=${tag}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items!.map((c) => c.id)).toEqual([march.id]);
    expect(page2.body.nextCursor).toBeNull();
    expect(fields((await call('GET', '/api/v1/campaigns?cursor=junk')).body)).toEqual(['cursor']);
    expect(fields((await call('GET', '/api/v1/campaigns?from=2027-05-01T00:00:00Z&to=2027-04-01T00:00:00Z')).body)).toEqual(['to']);
  });

  it("lists a campaign's posts with their networks, unpublished first then newest published, with a cursor", async () => {
    const { body: c } = await call('POST', '/api/v1/campaigns', campaign());
    const post = async (text: string) => (await call('POST', '/api/v1/posts', { content: { text }, campaignId: c.id, targets: [{ accountId: twitter }] }, 'EDITOR')).body.id;
    const [older, newer, draft] = [await post('older'), await post('newer'), await post('draft')];
    await call('POST', '/api/v1/posts', { content: { text: 'elsewhere' } }, 'EDITOR');
    await db.query(`update posts set status = 'PUBLISHED', "publishedAt" = $2 where id = $1`, [older, '2027-03-02T10:00:00Z']);
    await db.query(`update posts set status = 'PUBLISHED', "publishedAt" = $2 where id = $1`, [newer, '2027-03-05T10:00:00Z']);
    const page1 = await call('GET', `/api/v1/campaigns/${c.id}/posts?limit=2`, undefined, 'VIEWER');
    expect(page1.status).toBe(200);
    expect(page1.body.items!.map((p) => p.id)).toEqual([draft, newer]);
    expect(page1.body.items![0]).toMatchObject({ campaignId: c.id, targets: [{ accountId: twitter, platform: 'TWITTER', publishStatus: 'PENDING' }] });
    const page2 = await call('GET', `/api/v1/campaigns/${c.id}/posts?limit=2&cursor=${page1.body.nextCursor}`, undefined, 'VIEWER');
    expect(page2.body.items!.map((p) => p.id)).toEqual([older]);
    expect(page2.body.nextCursor).toBeNull();
    expect((await call('GET', `/api/v1/campaigns/${c.id}/posts`, undefined, 'VIEWER', otherWs)).status).toBe(404);
    // The caller's posts:read grant narrows what they see, as in the posts list.
    const viaPerms = async (perms: unknown) => (await call('GET', `/api/v1/campaigns/${c.id}/posts`, undefined, 'VIEWER', ws, perms)).body;
    expect((await viaPerms({ 'posts:read': { platforms: ['LINKEDIN'] } })).items).toEqual([]);
    expect((await viaPerms({ 'posts:read': { platforms: ['TWITTER'] } })).items!.map((p) => p.id)).toEqual([draft, newer, older]);
    expect((await viaPerms({ 'posts:read': 0 })).code).toBe('AUTH.FORBIDDEN');
  });

  it('keeps workspaces apart and applies the role matrix; deletes only a campaign without posts', async () => {
    const { body: c } = await call('POST', '/api/v1/campaigns', campaign());
    for (const [method, path, body] of [
      ['GET', `/api/v1/campaigns/${c.id}`],
      ['PATCH', `/api/v1/campaigns/${c.id}`, { name: 'theirs' }],
      ['POST', `/api/v1/campaigns/${c.id}/transitions`, { to: 'ACTIVE' }],
      ['DELETE', `/api/v1/campaigns/${c.id}`],
    ] as [string, string, unknown?][]) {
      const res = await call(method, path, body, 'OWNER', otherWs);
      expect([method, res.status, res.body.code]).toEqual([method, 404, 'PUBLISHING.CAMPAIGN_NOT_FOUND']);
    }
    expect((await call('GET', `/api/v1/campaigns?tag=spring`, undefined, 'OWNER', otherWs)).body.items).toEqual([]);
    expect((await call('POST', '/api/v1/campaigns', campaign(), 'EDITOR')).status).toBe(403);
    expect((await call('PATCH', `/api/v1/campaigns/${c.id}`, { name: 'x' }, 'EDITOR')).status).toBe(403);
    expect((await call('POST', `/api/v1/campaigns/${c.id}/transitions`, { to: 'ACTIVE' }, 'EDITOR')).status).toBe(403);
    expect((await call('DELETE', `/api/v1/campaigns/${c.id}`, undefined, 'EDITOR')).status).toBe(403);
    expect((await call('GET', `/api/v1/campaigns/${c.id}`, undefined, 'VIEWER')).status).toBe(200);
    // A post of another workspace cannot be attached to it either.
    const foreign = await call('POST', '/api/v1/posts', { content: { text: 'x' }, campaignId: c.id }, 'EDITOR', otherWs);
    expect(foreign.body.code).toBe('PUBLISHING.CAMPAIGN_NOT_FOUND');

    const { body: post } = await call('POST', '/api/v1/posts', { content: { text: 'keeps the campaign' }, campaignId: c.id }, 'EDITOR');
    const refused = await call('DELETE', `/api/v1/campaigns/${c.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PUBLISHING.CAMPAIGN_HAS_POSTS_CONFLICT', posts: 1 });
    expect((await call('GET', `/api/v1/posts/${post.id}`, undefined, 'EDITOR')).body.campaignId).toBe(c.id);
    await call('PATCH', `/api/v1/posts/${post.id}`, { campaignId: null }, 'EDITOR');
    expect((await call('DELETE', `/api/v1/campaigns/${c.id}`)).status).toBe(204);
    expect((await call('GET', `/api/v1/campaigns/${c.id}`)).status).toBe(404);
  });

  it("publishes a campaign's post with the campaign's UTM parameters on every link, and leaves other posts' links alone", async () => {
    const run = randomUUID().slice(0, 8);
    // Short values: the X emulator counts a URL by its characters (X itself counts 23).
    const { body: c } = await call('POST', '/api/v1/campaigns', campaign({ utmParams: { utm_medium: 'sm', utm_campaign: 'q2' } }));
    const content = (n: string) => ({ text: `${n} ${run} https://b.io/a?x=1. https://b.io/b#f`, link: 'https://e.io/l' });
    const create = (n: string, campaignId: string | undefined, customContent?: unknown) =>
      call('POST', '/api/v1/posts', { content: content(n), campaignId, targets: [{ accountId: twitter, ...(customContent ? { customContent } : {}) }] }, 'EDITOR');
    const inCampaign = (await create('A', c.id)).body.id;
    const withOverride = (await create('B', c.id, { text: `B ${run} (see https://p.io/?utm_source=pt)` })).body.id;
    const plain = (await create('C', undefined)).body.id;
    for (const id of [inCampaign, withOverride, plain]) expect((await call('POST', `/api/v1/posts/${id}/publish-now`)).status).toBe(200);
    const ids = [inCampaign, withOverride, plain];
    await waitFor(async () => (await count(`select count(*)::int as n from posts where id = any($1) and status in ('PUBLISHED', 'FAILED')`, [ids])) === 3, 30_000, 'the three posts to go out');
    expect(await count(`select count(*)::int as n from posts where id = any($1) and status = 'PUBLISHED'`, [ids])).toBe(3);

    const sent = (prefix: string) => x.control.posts().filter((p) => p.text.startsWith(`${prefix} ${run}`)).map((p) => p.text);
    const utm = 'utm_source=twitter&utm_medium=sm&utm_campaign=q2';
    expect(sent('A')).toEqual([`A ${run} https://b.io/a?x=1&${utm}. https://b.io/b?${utm}#f\nhttps://e.io/l?${utm}`]);
    // The override's links too; a utm_source the link already carries is kept.
    expect(sent('B')).toEqual([`B ${run} (see https://p.io/?utm_source=pt&utm_medium=sm&utm_campaign=q2)\nhttps://e.io/l?${utm}`]);
    expect(sent('C')).toEqual([`C ${run} https://b.io/a?x=1. https://b.io/b#f\nhttps://e.io/l`]);
    // What was sent is what reconciliation looks for.
    const { rows } = await db.query<{ sentText: string }>(`select "sentText" from publish_jobs where "postId" = $1`, [inCampaign]);
    expect(rows.map((r) => r.sentText)).toEqual(sent('A'));
  });

  it('validates, at schedule time, the text with its UTM parameters, and refuses UTM changes that would push scheduled posts over a limit', async () => {
    const at = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const link = 'https://example.com/l';
    const { body: c } = await call('POST', '/api/v1/campaigns', campaign({ utmParams: { utm_campaign: 'spring' } }));
    // 2950 + "\n" + link = 2972 characters fit LinkedIn's 3000; "?utm_source=linkedin&utm_campaign=spring" does not.
    const long = { text: 'a'.repeat(2950), link };
    const tagged = (await call('POST', '/api/v1/posts', { content: long, campaignId: c.id, targets: [{ accountId: linkedin }] }, 'EDITOR')).body.id;
    const refused = await call('POST', `/api/v1/posts/${tagged}/schedule`, { scheduledAt: at });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'PUBLISHING.CONTENT_UNPROCESSABLE', problems: [{ platform: 'LINKEDIN', field: 'text', code: 'TEXT_TOO_LONG', actual: 3012 }] });
    const untagged = (await call('POST', '/api/v1/posts', { content: long, targets: [{ accountId: linkedin }] }, 'EDITOR')).body.id;
    expect((await call('POST', `/api/v1/posts/${untagged}/schedule`, { scheduledAt: at })).status).toBe(200);

    const { body: short } = await call('POST', '/api/v1/campaigns', campaign({ utmParams: { utm_campaign: 'a' } }));
    const fits = (await call('POST', '/api/v1/posts', { content: { text: 'b'.repeat(2900), link }, campaignId: short.id, targets: [{ accountId: linkedin }] }, 'EDITOR')).body.id;
    expect((await call('POST', `/api/v1/posts/${fits}/schedule`, { scheduledAt: at })).status).toBe(200);
    const longer = await call('PATCH', `/api/v1/campaigns/${short.id}`, { utmParams: { utm_campaign: 'c'.repeat(100) } });
    expect(longer.status).toBe(422);
    expect(longer.body).toMatchObject({ code: 'PUBLISHING.CAMPAIGN_UTM_UNPROCESSABLE', errors: [{ field: 'utmParams' }], problems: [{ postId: fits, platform: 'LINKEDIN' }] });
    expect((await call('GET', `/api/v1/campaigns/${short.id}`)).body.utmParams).toEqual({ utm_campaign: 'a' });
    expect((await call('PATCH', `/api/v1/campaigns/${short.id}`, { utmParams: { utm_campaign: 'b2' } })).status).toBe(200);
  });
});
