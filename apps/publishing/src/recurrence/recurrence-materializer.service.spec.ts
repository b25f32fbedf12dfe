import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { OutboxWriter } from '@lib/messaging';
import { strictMock } from '@lib/testing';
import { SocialAccount } from '../accounts/social-account.entity';
import { Campaign } from '../campaigns/campaign.entity';
import { MediaAsset } from '../media/media-asset.entity';
import { PlatformPost } from '../posts/platform-post.entity';
import { PostMedia } from '../posts/post-media.entity';
import { Post } from '../posts/post.entity';
import type { SchedulePostService } from '../scheduler/schedule-post.service';
import { PostRecurrence } from './post-recurrence.entity';
import { RecurrenceMaterializer } from './recurrence-materializer.service';

let orm: MikroORM;
beforeAll(async () => {
  orm = await MikroORM.init({ entities: [Post, PlatformPost, PostMedia, SocialAccount, Campaign, MediaAsset, PostRecurrence], dbName: 'none', connect: false });
});
afterAll(async () => {
  await orm.close(true);
});

const NOW = new Date('2027-03-20T00:00:00Z');

function series(nextOccurrenceAt: string): PostRecurrence {
  const template = new Post();
  template.workspaceId = '0193f0a0-0000-7000-8000-000000000001';
  template.authorId = '0193f0a0-0000-7000-8000-000000000002';
  template.content = { text: 'Weekly tips' };
  const a = new SocialAccount();
  a.platform = 'TWITTER';
  a.username = 'acme';
  const pp = new PlatformPost();
  pp.post = template;
  pp.account = a;
  pp.platform = 'TWITTER';
  template.platformPosts.add(pp);
  const s = new PostRecurrence();
  s.workspaceId = template.workspaceId;
  s.templatePost = template;
  s.createdBy = '0193f0a0-0000-7000-8000-000000000003';
  s.rrule = 'FREQ=WEEKLY;BYDAY=SU';
  s.timeZone = 'Europe/Berlin';
  s.startsAt = '2027-03-14T09:00';
  s.nextOccurrenceAt = new Date(nextOccurrenceAt);
  return s;
}

/** A database that has one due series, and records what is asked of it. */
function setup(s: PostRecurrence, opts: { alreadyRecorded?: string[] } = {}) {
  const sql: { text: string; params: unknown[] }[] = [];
  let claims = 0;
  const execute = jest.fn(async (text: string, params: unknown[] = []) => {
    sql.push({ text, params });
    if (/select id from post_recurrences/.test(text)) return claims++ === 0 ? [{ id: s.id }] : [];
    if (/insert into post_recurrence_occurrences/.test(text)) return opts.alreadyRecorded?.includes((params[1] as Date).toISOString()) ? [] : [{ occurrenceAt: params[1] }];
    return [];
  });
  const persisted: unknown[] = [];
  const tx = strictMock<EntityManager>(
    {
      getConnection: jest.fn(() => ({ execute })),
      getTransactionContext: jest.fn(() => 'trx'),
      findOneOrFail: jest.fn(async (entity: unknown) => (entity === PostRecurrence ? s : s.templatePost)),
      find: jest.fn(async () => []),
      persist: jest.fn((e: unknown) => persisted.push(e)),
      flush: jest.fn(async () => undefined),
    },
    'tx',
  );
  const em = strictMock<EntityManager>(
    { fork: jest.fn(() => strictMock<EntityManager>({ transactional: jest.fn(async (fn: (t: EntityManager) => Promise<unknown>) => fn(tx)) }, 'fork')), getConnection: jest.fn(() => ({ execute })) },
    'em',
  );
  const schedule = jest.fn(async () => ({}));
  const stage = jest.fn();
  const logger = strictMock<Logger>({ info: jest.fn(), warn: jest.fn(), error: jest.fn() }, 'logger');
  const sut = new RecurrenceMaterializer(em, strictMock<SchedulePostService>({ schedule }, 'scheduling'), strictMock<OutboxWriter>({ stage }, 'outbox'), logger, {
    recurrence: { pollMs: 1000, horizonHours: 72, retryMs: 300_000 },
  });
  return { sut, sql, schedule, stage, persisted, tx, logger };
}

describe('RecurrenceMaterializer', () => {
  it('records each due occurrence and schedules a copy of the template for it in the same transaction, then moves the cursor past the horizon', async () => {
    const s = series('2027-03-21T08:00:00Z');
    const { sut, sql, schedule, persisted, tx } = setup(s);

    expect(await sut.runOnce(NOW)).toBe(1);

    const inserts = sql.filter((q) => /insert into post_recurrence_occurrences/.test(q.text));
    expect(inserts.map((q) => [(q.params[1] as Date).toISOString(), q.params[2], q.params[3]])).toEqual([['2027-03-21T08:00:00.000Z', '2027-03-21T09:00', 'scheduled']]);
    const copy = persisted.find((e): e is Post => e instanceof Post)!;
    expect(copy.content).toEqual({ text: 'Weekly tips' });
    expect(schedule).toHaveBeenCalledWith({ userId: s.createdBy, workspaceId: s.workspaceId, conditions: null }, copy.id, false, new Date('2027-03-21T08:00:00Z'), tx);
    const link = sql.find((q) => /update post_recurrence_occurrences set "postId"/.test(q.text))!;
    expect(link.params).toEqual([copy.id, s.id, new Date('2027-03-21T08:00:00Z')]);
    // The next one is after the DST change: 09:00 in Berlin is 07:00Z.
    expect(s.nextOccurrenceAt).toEqual(new Date('2027-03-28T07:00:00Z'));
    expect(s).toMatchObject({ lastMaterializedAt: NOW, lastError: null, retryAt: null });
  });

  it('skips an occurrence already recorded (another replica, a restart, a rewound cursor): no second copy', async () => {
    const s = series('2027-03-21T08:00:00Z');
    const { sut, schedule, persisted } = setup(s, { alreadyRecorded: ['2027-03-21T08:00:00.000Z'] });
    await sut.runOnce(NOW);
    expect(schedule).not.toHaveBeenCalled();
    expect(persisted.filter((e) => e instanceof Post)).toHaveLength(0);
    expect(s.nextOccurrenceAt).toEqual(new Date('2027-03-28T07:00:00Z'));
  });

  it('records an occurrence whose time has passed as missed, without posting it late', async () => {
    const s = series('2027-03-14T08:00:00Z');
    const { sut, sql, schedule } = setup(s);
    await sut.runOnce(NOW);
    const inserts = sql.filter((q) => /insert into post_recurrence_occurrences/.test(q.text));
    expect(inserts.map((q) => [(q.params[1] as Date).toISOString(), q.params[3]])).toEqual([
      ['2027-03-14T08:00:00.000Z', 'missed'],
      ['2027-03-21T08:00:00.000Z', 'scheduled'],
    ]);
    expect(schedule).toHaveBeenCalledTimes(1);
  });

  it('keeps the reason of a failure on the series, waits retryMs, and goes on with the next series', async () => {
    const s = series('2027-03-21T08:00:00Z');
    (s.templatePost as Post).platformPosts[0].account.isActive = false;
    const { sut, sql, schedule, logger } = setup(s);

    expect(await sut.runOnce(NOW)).toBe(1);

    expect(schedule).not.toHaveBeenCalled();
    const failure = sql.find((q) => /update post_recurrences set "lastError"/.test(q.text))!;
    expect(failure.params).toEqual([
      'PUBLISHING.ACCOUNT_DISCONNECTED_UNPROCESSABLE: TWITTER @acme is disconnected; reconnect it',
      NOW,
      new Date(NOW.getTime() + 300_000),
      NOW,
      s.id,
    ]);
    expect(logger.warn).toHaveBeenCalled();
    // After the failure the loop asked for the next due series (there was none).
    expect(sql.filter((q) => /select id from post_recurrences/.test(q.text))).toHaveLength(2);
  });
});
