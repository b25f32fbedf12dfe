import { randomUUID } from 'node:crypto';
import { callAs, createPublishing, insertAccount, signToken, type Publishing } from './harness';

interface CalendarBody {
  timeZone: string;
  from: string;
  to: string;
  days: { date: string; posts: { id: string; at: string; scheduledAt: string | null; targets: { platform: string }[] }[] }[];
  code?: string;
  errors?: { field: string }[];
  items?: { id: string }[];
  nextCursor?: string | null;
}

describe('publishing: the posts calendar, day by day in the workspace time zone', () => {
  const ws = randomUUID();
  const otherWs = randomUUID();
  const me = randomUUID();
  const colleague = randomUUID();
  let svc: Publishing;
  let db: Publishing['db'];
  const ids: Record<string, string> = {};
  let campaignId: string;

  const token = (opts: { role?: string; workspaceId?: string; sub?: string; perms?: unknown }) =>
    signToken(svc.keys, { sub: opts.sub ?? me, workspaceId: opts.workspaceId ?? ws, role: opts.role ?? 'VIEWER', perms: opts.perms });
  const get = (path: string, opts: Parameters<typeof token>[0] = {}) => callAs(svc.base, token(opts))<CalendarBody>('GET', path);
  const placed = (b: CalendarBody) => Object.fromEntries(b.days.map((d) => [d.date, d.posts.map((p) => name(p.id))]));
  const name = (id: string) => Object.entries(ids).find(([, v]) => v === id)?.[0] ?? id;
  const fields = (b: CalendarBody) => (b.errors ?? []).map((e) => e.field).sort();

  const account = (platform: string, workspaceId = ws) => insertAccount(db, svc.cipher, { workspaceId, platform });

  async function post(key: string, o: { scheduledAt?: string; publishedAt?: string; status?: string; accountId: string; platform: string; workspaceId?: string; authorId?: string; tags?: string[]; campaignId?: string }): Promise<void> {
    const id = randomUUID();
    ids[key] = id;
    await db.query(
      `insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", "publishedAt", "campaignId", tags, "aiGenerated", "createdAt", "updatedAt")
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, false, now(), now())`,
      [id, o.workspaceId ?? ws, o.authorId ?? me, { text: key }, o.status ?? 'SCHEDULED', o.scheduledAt ?? null, o.publishedAt ?? null, o.campaignId ?? null, o.tags ?? []],
    );
    await db.query(`insert into platform_posts (id, "postId", "accountId", platform, "publishStatus") values ($1, $2, $3, $4, 'PENDING')`, [randomUUID(), id, o.accountId, o.platform]);
  }

  beforeAll(async () => {
    svc = await createPublishing({ name: 'calendar' });
    db = svc.db;
    // The workspace projection's table (its migration is another area's); created here only if absent.
    await db.query(`create table if not exists workspace_profiles ("workspaceId" uuid primary key, plan text not null, "timeZone" text not null, limits jsonb not null, "updatedAt" timestamptz not null)`);
    await db.query(`insert into workspace_profiles ("workspaceId", plan, "timeZone", limits, "updatedAt") values ($1, 'PROFESSIONAL', 'Europe/Berlin', '{}', now())`, [ws]);
    await svc.start();

    const x = await account('TWITTER');
    const li = await account('LINKEDIN');
    campaignId = randomUUID();
    await db.query(
      `insert into campaigns (id, "workspaceId", name, "startDate", "endDate", goals, tags, "utmParams", status, "createdAt", "updatedAt")
       values ($1, $2, 'March', '2027-03-01', '2027-03-31', '{}', '{}', '{}', 'ACTIVE', now(), now())`,
      [campaignId, ws],
    );
    // Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on 2027-03-28.
    await post('satNoon', { scheduledAt: '2027-03-27T11:00:00Z', accountId: x, platform: 'TWITTER' });
    await post('satLateUtc', { scheduledAt: '2027-03-27T23:30:00Z', accountId: li, platform: 'LINKEDIN', tags: ['launch'], campaignId });
    await post('sunDst', { scheduledAt: '2027-03-28T00:30:00Z', accountId: x, platform: 'TWITTER', authorId: colleague });
    await post('sunLateUtc', { scheduledAt: '2027-03-28T22:30:00Z', accountId: x, platform: 'TWITTER' });
    await post('publishedOnly', { publishedAt: '2027-03-27T06:00:00Z', status: 'PUBLISHED', accountId: x, platform: 'TWITTER' });
    await post('unscheduled', { status: 'DRAFT', accountId: x, platform: 'TWITTER' });
    await post('outside', { scheduledAt: '2027-04-15T10:00:00Z', accountId: x, platform: 'TWITTER' });
    await post('otherWorkspace', { scheduledAt: '2027-03-28T00:30:00Z', accountId: await account('TWITTER', otherWs), platform: 'TWITTER', workspaceId: otherWs });
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it("answers every day of the range in the workspace's zone, across the DST change, posts placed by their local day", async () => {
    const res = await get('/api/v1/posts/calendar?from=2027-03-27&to=2027-03-30');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ timeZone: 'Europe/Berlin', from: '2027-03-27', to: '2027-03-30' });
    expect(placed(res.body)).toEqual({
      '2027-03-27': ['publishedOnly', 'satNoon'],
      // 23:30Z on the 27th is 00:30 on the 28th in Berlin (UTC+1), 00:30Z is 01:30 (still UTC+1).
      '2027-03-28': ['satLateUtc', 'sunDst'],
      // 22:30Z on the 28th is 00:30 on the 29th (UTC+2 by then).
      '2027-03-29': ['sunLateUtc'],
      '2027-03-30': [],
    });
    const sunday = res.body.days[1].posts;
    expect(sunday.map((p) => p.at)).toEqual(['2027-03-28T00:30:00.000+01:00', '2027-03-28T01:30:00.000+01:00']);
    expect(sunday[0]).toMatchObject({ scheduledAt: '2027-03-27T23:30:00.000Z', targets: [{ platform: 'LINKEDIN' }] });
  });

  it('draws different day boundaries in another zone asked for', async () => {
    const utc = await get('/api/v1/posts/calendar?from=2027-03-27&to=2027-03-29&timeZone=UTC');
    expect(utc.body.timeZone).toBe('UTC');
    expect(placed(utc.body)).toEqual({
      '2027-03-27': ['publishedOnly', 'satNoon', 'satLateUtc'],
      '2027-03-28': ['sunDst', 'sunLateUtc'],
      '2027-03-29': [],
    });
    const tokyo = await get('/api/v1/posts/calendar?from=2027-03-28&to=2027-03-28&timeZone=Asia/Tokyo');
    expect(placed(tokyo.body)).toEqual({ '2027-03-28': ['satLateUtc', 'sunDst'] });
  });

  it('filters by status, platform, campaign and tag', async () => {
    const q = '/api/v1/posts/calendar?from=2027-03-27&to=2027-03-29';
    const flat = (b: CalendarBody) => b.days.flatMap((d) => d.posts.map((p) => name(p.id)));
    expect(flat((await get(`${q}&status=PUBLISHED`)).body)).toEqual(['publishedOnly']);
    expect(flat((await get(`${q}&platform=LINKEDIN`)).body)).toEqual(['satLateUtc']);
    expect(flat((await get(`${q}&campaignId=${campaignId}`)).body)).toEqual(['satLateUtc']);
    expect(flat((await get(`${q}&tag=launch`)).body)).toEqual(['satLateUtc']);
  });

  it("narrows to the caller's grant (own posts, some networks) and never shows another workspace", async () => {
    const q = '/api/v1/posts/calendar?from=2027-03-27&to=2027-03-29';
    const flat = (b: CalendarBody) => b.days.flatMap((d) => d.posts.map((p) => name(p.id))).sort();
    expect(flat((await get(q, { sub: colleague, perms: { 'posts:read': { ownOnly: true } } })).body)).toEqual(['sunDst']);
    expect(flat((await get(q, { perms: { 'posts:read': { platforms: ['LINKEDIN'] } } })).body)).toEqual(['satLateUtc']);
    expect((await get(q, { perms: { 'posts:read': 0 } })).status).toBe(403);
    const other = await get(q, { workspaceId: otherWs });
    expect(flat(other.body)).toEqual(['otherWorkspace']);
    // A workspace publishing has no profile for yet is shown in UTC.
    expect(other.body.timeZone).toBe('UTC');
  });

  it('refuses a bad time zone, a bad date or a range over 62 days with 400 naming the field', async () => {
    const bad = async (query: string) => {
      const res = await get(`/api/v1/posts/calendar?${query}`);
      expect([query, res.status]).toEqual([query, 400]);
      return fields(res.body);
    };
    expect(await bad('from=2027-03-01&to=2027-03-02&timeZone=Mars/Olympus')).toEqual(['timeZone']);
    expect(await bad('from=2027-02-30&to=2027-03-02')).toEqual(['from']);
    expect(await bad('from=2027-03-01&to=March')).toEqual(['to']);
    expect(await bad('to=2027-03-02')).toEqual(['from']);
    expect(await bad('from=2027-01-01&to=2027-03-04')).toEqual(['to']);
    expect(await bad('from=2027-03-02&to=2027-03-01')).toEqual(['to']);
    expect(await bad('from=2027-03-01&to=2027-03-02&colour=red')).toEqual(['colour']);
    expect((await get('/api/v1/posts/calendar?from=2027-01-01&to=2027-03-03&timeZone=UTC')).body.days).toHaveLength(62);
  });

  it('is a static route: /posts/calendar never reaches /posts/:id, which still answers', async () => {
    // Were it routed to /posts/:id, the answer would be a 400 naming `id` (not a UUID).
    expect(fields((await get('/api/v1/posts/calendar')).body)).toEqual(['from', 'to']);
    expect((await get(`/api/v1/posts/${ids.satNoon}`)).status).toBe(200);
    expect((await get(`/api/v1/posts/${randomUUID()}`)).status).toBe(404);
  });

  it("lists SCHEMA's scheduled posts (status=SCHEDULED, sort=scheduledAt) soonest first, with a cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const res = await get(`/api/v1/posts?status=SCHEDULED&sort=scheduledAt&from=2027-03-27T00:00:00Z&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items!.map((p) => name(p.id)));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['satNoon', 'satLateUtc', 'sunDst', 'sunLateUtc', 'outside']);
    expect((await get('/api/v1/posts?sort=publishedAt')).status).toBe(400);
  });
});
