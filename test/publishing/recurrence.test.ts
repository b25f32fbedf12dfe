import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { waitFor } from '@lib/testing';
import { stopProcess } from '../../tools/dev/processes';
import { callAs, createPublishing, insertAccount, signToken, type Publishing } from './harness';

interface Occ {
  local: string;
  at: string;
  postId: string | null;
}
interface Body {
  id: string;
  code?: string;
  errors?: { field: string }[];
  timeZone?: string;
  isActive?: boolean;
  nextOccurrences?: Occ[];
  lastError?: { message: string; retryAt: string | null } | null;
  unscheduledPostIds?: string[];
}

const BERLIN = 'Europe/Berlin';

/**
 * The next Sunday Berlin springs forward (2027-03-28 when written), at least three weeks away so
 * a weekly series can start two weeks before it: the test stays valid whenever it runs.
 */
function nextSpringForward(): DateTime {
  const now = DateTime.utc();
  for (let year = now.year; ; year++) {
    const lastSunday = DateTime.fromObject({ year, month: 3, day: 31 }, { zone: BERLIN }).minus({ days: DateTime.fromObject({ year, month: 3, day: 31 }).weekday % 7 });
    if (lastSunday.minus({ days: 14 }) > now.plus({ days: 2 })) return lastSunday;
  }
}

describe('publishing: recurring posts follow the wall clock of their zone, and each occurrence is scheduled exactly once', () => {
  const ws = randomUUID();
  const otherWs = randomUUID();
  const manager = randomUUID();
  let svc: Publishing;
  let db: Publishing['db'];
  let twitter: string;
  let linkedin: string;

  const dst = nextSpringForward();
  const day = (d: DateTime) => d.toFormat('yyyy-MM-dd');
  const weeks = [-14, -7, 0, 7].map((n) => dst.plus({ days: n }));
  const hoursUntil = (d: DateTime) => Math.ceil(d.diff(DateTime.utc(), 'hours').hours);

  const call = (method: string, path: string, body?: unknown, role = 'MANAGER', workspaceId = ws) =>
    callAs(svc.base, signToken(svc.keys, { sub: manager, workspaceId, role }))<Body>(method, path, body);

  const start = (horizonHours: number) => svc.start({ RECURRENCE_HORIZON_HOURS: String(horizonHours) });

  function account(platform: string, workspaceId = ws): Promise<string> {
    const id = randomUUID();
    return insertAccount(db, svc.cipher, { id, workspaceId, platform, username: `acme_${platform.toLowerCase()}_${id.slice(0, 4)}` });
  }

  async function draft(text: string, accounts: string[], role = 'MANAGER'): Promise<string> {
    const res = await call('POST', '/api/v1/posts', { content: { text, hashtags: ['weekly'] }, targets: accounts.map((accountId) => ({ accountId })), tags: ['series'] }, role);
    expect(res.status).toBe(201);
    return res.body.id;
  }

  /** The copies of a series, by occurrence. */
  async function occurrences(templateId: string) {
    const { rows } = await db.query<{ occurrenceAt: Date; localTime: string; postId: string | null; status: string; scheduledAt: Date; text: string; tags: string[]; jobs: number; due: Date[] }>(
      `select o."occurrenceAt", o."localTime", o."postId", p.status, p."scheduledAt", p.content->>'text' as text, p.tags,
              (select count(*)::int from publish_jobs j where j."postId" = p.id) as jobs,
              (select array_agg(j."dueAt") from publish_jobs j where j."postId" = p.id) as due
         from post_recurrence_occurrences o join post_recurrences r on r.id = o."recurrenceId" left join posts p on p.id = o."postId"
        where r."templatePostId" = $1 order by o."occurrenceAt"`,
      [templateId],
    );
    return rows;
  }

  beforeAll(async () => {
    svc = await createPublishing({ name: 'recurrence', env: { RECURRENCE_POLL_INTERVAL_MS: '100', RECURRENCE_RETRY_INTERVAL_MS: '600000' } });
    db = svc.db;
    // The workspace's zone, as auth's workspace events leave it in the projection.
    await db.query(`insert into workspace_profiles ("workspaceId", plan, "timeZone", limits, "updatedAt") values ($1, 'ENTERPRISE', 'America/New_York', $2, now())`, [
      ws,
      JSON.stringify({ users: null, socialAccounts: null, scheduledPostsPerMonth: null, aiCreditsPerMonth: 50000 }),
    ]);
    twitter = await account('TWITTER');
    linkedin = await account('LINKEDIN');
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('keeps a weekly 09:00 Europe/Berlin post at 09:00 across the DST change, once per occurrence, through a restart, a second replica and a rewound cursor', async () => {
    // Horizon: the first two weeks only (both before the change).
    let proc = await start(hoursUntil(weeks[1].set({ hour: 12 })));
    const template = await draft('Weekly tips v1', [twitter, linkedin]);
    const set = await call('PUT', `/api/v1/posts/${template}/recurrence`, { rrule: 'FREQ=WEEKLY;COUNT=4', timeZone: BERLIN, startsAt: `${day(weeks[0])}T09:00` });
    expect(set.status).toBe(200);
    expect(set.body.nextOccurrences!.map((o) => o.local)).toEqual(weeks.map((w) => `${day(w)}T09:00`));
    expect(set.body.nextOccurrences!.map((o) => o.at)).toEqual([
      `${day(weeks[0])}T08:00:00.000Z`,
      `${day(weeks[1])}T08:00:00.000Z`,
      `${day(weeks[2])}T07:00:00.000Z`,
      `${day(weeks[3])}T07:00:00.000Z`,
    ]);

    await waitFor(async () => (await occurrences(template)).filter((o) => o.postId).length === 2, 30_000, 'the first two occurrences');
    // The template keeps its own status; the later two are beyond this horizon.
    expect((await call('GET', `/api/v1/posts/${template}`)).body).toMatchObject({ status: 'DRAFT' });
    expect(await occurrences(template)).toHaveLength(2);

    // Edits to the template reach the occurrences not yet materialized.
    expect((await call('PATCH', `/api/v1/posts/${template}`, { content: { text: 'Weekly tips v2', hashtags: ['weekly'] } }, 'EDITOR')).status).toBe(200);
    // A clean stop: Nest re-raises SIGTERM after its shutdown hooks (the loop ends; no SIGKILL needed).
    await stopProcess(proc);
    expect(proc.child.signalCode).toBe('SIGTERM');
    proc = await start(hoursUntil(weeks[3]) + 48);
    await waitFor(async () => (await occurrences(template)).filter((o) => o.postId).length === 4, 30_000, 'all four occurrences');

    const occ = await occurrences(template);
    expect(occ.map((o) => o.scheduledAt.toISOString())).toEqual(set.body.nextOccurrences!.map((o) => o.at));
    expect(occ.map((o) => o.localTime)).toEqual(weeks.map((w) => `${day(w)}T09:00`));
    expect(occ.map((o) => o.status)).toEqual(['SCHEDULED', 'SCHEDULED', 'SCHEDULED', 'SCHEDULED']);
    expect(occ.map((o) => o.text)).toEqual(['Weekly tips v1', 'Weekly tips v1', 'Weekly tips v2', 'Weekly tips v2']);
    expect(occ.every((o) => o.tags.includes('series'))).toBe(true);
    // One publish job per network, due at the occurrence.
    for (const o of occ) {
      expect(o.jobs).toBe(2);
      expect(o.due.map((d) => new Date(d).getTime())).toEqual([o.scheduledAt.getTime(), o.scheduledAt.getTime()]);
    }
    const read = await call('GET', `/api/v1/posts/${template}/recurrence`, undefined, 'VIEWER');
    expect(read.status).toBe(200);
    expect(read.body.nextOccurrences!.map((o) => o.postId)).toEqual(occ.map((o) => o.postId));

    // A second replica, and the series' cursor rewound as a crash between steps could leave it.
    await start(hoursUntil(weeks[3]) + 48);
    await db.query(`update post_recurrences set "nextOccurrenceAt" = $2, "lastMaterializedAt" = null where "templatePostId" = $1`, [template, occ[0].occurrenceAt]);
    await waitFor(async () => (await db.query(`select 1 from post_recurrences where "templatePostId" = $1 and "lastMaterializedAt" is not null and "nextOccurrenceAt" is null`, [template])).rowCount === 1, 30_000, 'the rewound series to be run again');
    expect((await occurrences(template)).map((o) => o.postId)).toEqual(occ.map((o) => o.postId));
    const copies = await db.query<{ n: number }>(`select count(*)::int as n from posts where "workspaceId" = $1 and content->>'text' like 'Weekly tips%'`, [ws]);
    expect(copies.rows[0].n).toBe(5);
    const scheduledEvents = await db.query<{ n: number }>(`select count(*)::int as n from outbox where topic = 'post.scheduled' and envelope->'data'->>'postId' = any($1)`, [occ.map((o) => o.postId)]);
    expect(scheduledEvents.rows[0].n).toBe(4);
  });

  it("uses the workspace's zone by default, and keeps going when one series fails (its reason shown on GET)", async () => {
    const broken = await account('TWITTER');
    const failing = await draft(`Daily failing ${randomUUID()}`, [broken]);
    const healthy = await draft(`Daily fine ${randomUUID()}`, [linkedin]);
    const tomorrow = day(DateTime.now().setZone('America/New_York').plus({ days: 1 }));
    await db.query(`update social_accounts set "isActive" = false where id = $1`, [broken]);
    const refused = await call('PUT', `/api/v1/posts/${failing}/recurrence`, { rrule: 'FREQ=DAILY;COUNT=2', startsAt: `${tomorrow}T12:00` });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('PUBLISHING.ACCOUNT_DISCONNECTED_UNPROCESSABLE');
    // A series set up while the account was connected, which was disconnected since.
    await db.query(
      `insert into post_recurrences (id, "workspaceId", "templatePostId", rrule, "timeZone", "startsAt", "isActive", "nextOccurrenceAt", "createdBy", "createdAt", "updatedAt")
       values ($1, $2, $3, 'FREQ=DAILY;COUNT=2', 'America/New_York', $4, true, $5, $6, now(), now())`,
      [randomUUID(), ws, failing, `${tomorrow}T12:00`, DateTime.fromISO(`${tomorrow}T12:00`, { zone: 'America/New_York' }).toJSDate(), manager],
    );
    const set = await call('PUT', `/api/v1/posts/${healthy}/recurrence`, { rrule: 'FREQ=DAILY;COUNT=2', startsAt: `${tomorrow}T12:00` });
    expect(set.status).toBe(200);
    expect(set.body.timeZone).toBe('America/New_York');

    await waitFor(async () => (await occurrences(healthy)).filter((o) => o.postId).length === 2, 30_000, 'the healthy series');
    await waitFor(async () => !!(await call('GET', `/api/v1/posts/${failing}/recurrence`)).body.lastError, 30_000, 'the failure to be recorded');
    const failed = await call('GET', `/api/v1/posts/${failing}/recurrence`);
    expect(failed.body.lastError!.message).toMatch(/^PUBLISHING\.ACCOUNT_DISCONNECTED_UNPROCESSABLE: TWITTER @acme_twitter_\w+ is disconnected/);
    expect(failed.body.lastError!.retryAt).not.toBeNull();
    expect(await occurrences(failing)).toHaveLength(0);
    expect((await occurrences(healthy)).map((o) => o.localTime)).toEqual([`${tomorrow}T12:00`, `${day(DateTime.fromISO(tomorrow).plus({ days: 1 }))}T12:00`]);

    // Stopping the healthy series takes its future copies back to DRAFT, without their jobs.
    const stopped = await call('DELETE', `/api/v1/posts/${healthy}/recurrence`);
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ isActive: false, nextOccurrences: [] });
    const copies = (await db.query<{ id: string; status: string }>(`select id, status from posts where content->>'text' = (select content->>'text' from posts where id = $1) and id <> $1`, [healthy])).rows;
    expect(stopped.body.unscheduledPostIds!.sort()).toEqual(copies.map((c) => c.id).sort());
    expect(copies.map((c) => c.status)).toEqual(['DRAFT', 'DRAFT']);
    expect((await db.query(`select 1 from publish_jobs where "postId" = any($1)`, [copies.map((c) => c.id)])).rowCount).toBe(0);
    expect((await call('GET', `/api/v1/posts/${healthy}/recurrence`)).body).toMatchObject({ isActive: false, nextOccurrences: [] });
  });

  it('refuses bad rules, zones and starts naming the field, and stores nothing', async () => {
    const post = await draft(`Validation ${randomUUID()}`, [twitter]);
    const put = (body: unknown) => call('PUT', `/api/v1/posts/${post}/recurrence`, body);
    const start = `${day(DateTime.utc().plus({ days: 3 }))}T09:00`;
    for (const rrule of ['FREQ=HOURLY', 'FREQ=MINUTELY', 'FREQ=DAILY;BYMINUTE=0,30', 'BYDAY=MO', 'FREQ=DAILY;DTSTART=20270101T090000Z', 'FREQ=DAILY;TZID=Europe/Berlin', 'FREQ=WEEKLY;BYDAY=XX', 'not a rule']) {
      const res = await put({ rrule, timeZone: BERLIN, startsAt: start });
      expect([rrule, res.status, res.body.errors?.map((e) => e.field)]).toEqual([rrule, 400, ['rrule']]);
    }
    const zone = await put({ rrule: 'FREQ=DAILY', timeZone: 'Mars/Olympus', startsAt: start });
    expect([zone.status, zone.body.errors!.map((e) => e.field)]).toEqual([400, ['timeZone']]);
    const offset = await put({ rrule: 'FREQ=DAILY', timeZone: BERLIN, startsAt: '2027-03-28T09:00+01:00' });
    expect([offset.status, offset.body.errors!.map((e) => e.field)]).toEqual([400, ['startsAt']]);
    const over = await put({ rrule: 'FREQ=DAILY;COUNT=2', timeZone: BERLIN, startsAt: '2020-01-01T09:00' });
    expect([over.status, over.body.errors!.map((e) => e.field)]).toEqual([400, ['rrule']]);
    const extra = await put({ rrule: 'FREQ=DAILY', timeZone: BERLIN, startsAt: start, colour: 'red' });
    expect(extra.status).toBe(400);

    const noTargets = await draft(`No targets ${randomUUID()}`, []);
    const untargeted = await call('PUT', `/api/v1/posts/${noTargets}/recurrence`, { rrule: 'FREQ=DAILY', timeZone: BERLIN, startsAt: start });
    expect([untargeted.status, untargeted.body.code]).toEqual([422, 'PUBLISHING.SCHEDULE_UNPROCESSABLE']);
    const tooLong = await draft('x'.repeat(300), [twitter]);
    const unfit = await call('PUT', `/api/v1/posts/${tooLong}/recurrence`, { rrule: 'FREQ=DAILY', timeZone: BERLIN, startsAt: start });
    expect([unfit.status, unfit.body.code]).toEqual([422, 'PUBLISHING.CONTENT_UNPROCESSABLE']);

    const stored = await db.query(`select 1 from post_recurrences where "templatePostId" = any($1)`, [[post, noTargets, tooLong]]);
    expect(stored.rowCount).toBe(0);
    expect((await call('GET', `/api/v1/posts/${post}/recurrence`)).body.code).toBe('PUBLISHING.RECURRENCE_NOT_FOUND');
  });

  it('keeps workspaces apart and applies the role matrix (publish to set or stop, read to see)', async () => {
    const post = await draft(`Roles ${randomUUID()}`, [twitter]);
    const body = { rrule: 'FREQ=WEEKLY', timeZone: BERLIN, startsAt: `${day(DateTime.utc().plus({ days: 30 }))}T09:00` };
    expect((await call('PUT', `/api/v1/posts/${post}/recurrence`, body, 'VIEWER')).status).toBe(403);
    expect((await call('PUT', `/api/v1/posts/${post}/recurrence`, body, 'EDITOR')).status).toBe(403);
    expect((await call('PUT', `/api/v1/posts/${post}/recurrence`, body, 'OWNER', otherWs)).status).toBe(404);
    expect((await call('PUT', `/api/v1/posts/${post}/recurrence`, body)).status).toBe(200);
    expect((await call('GET', `/api/v1/posts/${post}/recurrence`, undefined, 'VIEWER')).status).toBe(200);
    expect((await call('GET', `/api/v1/posts/${post}/recurrence`, undefined, 'OWNER', otherWs)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/posts/${post}/recurrence`, undefined, 'OWNER', otherWs)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/posts/${post}/recurrence`, undefined, 'EDITOR')).status).toBe(403);
    expect((await call('DELETE', `/api/v1/posts/${post}/recurrence`)).status).toBe(200);
  });
});
