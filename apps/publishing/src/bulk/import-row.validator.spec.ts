import 'reflect-metadata';
import type { CsvRow } from './import-csv.parser';
import { checkFetchedMedia, validateRows, type ImportReferences, type ValidationContext } from './import-row.validator';
import { parseCsvTime } from './csv-time';

const ids = {
  x: '0193f0a0-0000-7000-8000-0000000000a1',
  li: '0193f0a0-0000-7000-8000-0000000000a2',
  fb1: '0193f0a0-0000-7000-8000-0000000000a3',
  fb2: '0193f0a0-0000-7000-8000-0000000000a4',
  campaign: '0193f0a0-0000-7000-8000-0000000000c1',
  twin1: '0193f0a0-0000-7000-8000-0000000000c2',
  twin2: '0193f0a0-0000-7000-8000-0000000000c3',
  image: '0193f0a0-0000-7000-8000-0000000000d1',
  video: '0193f0a0-0000-7000-8000-0000000000d2',
};

const refs: ImportReferences = {
  accounts: [
    { id: ids.x, platform: 'TWITTER', username: 'acme' },
    { id: ids.li, platform: 'LINKEDIN', username: 'acme-li' },
    { id: ids.fb1, platform: 'FACEBOOK', username: 'page1' },
    { id: ids.fb2, platform: 'FACEBOOK', username: 'page2' },
  ],
  campaigns: [
    { id: ids.campaign, name: 'Launch', utmParams: {} },
    { id: ids.twin1, name: 'Twin', utmParams: {} },
    { id: ids.twin2, name: 'Twin', utmParams: {} },
  ],
  media: [
    { id: ids.image, media: { kind: 'image', mimeType: 'image/jpeg', sizeBytes: 1000, width: 800, height: 600 } },
    { id: ids.video, media: { kind: 'video', mimeType: 'video/mp4', sizeBytes: 1000, durationSec: 10 } },
  ],
};

const now = new Date('2026-06-01T12:00:00Z');
const allowed = { createPlatforms: null, publish: { platforms: null }, role: 'MANAGER' as const, mediaCreate: true };

function ctx(over: Partial<ValidationContext> = {}): ValidationContext {
  return { refs, approvals: [], timeZone: 'Europe/Paris', now, grants: allowed, quota: null, ...over };
}

let n = 1;
function row(cells: CsvRow['cells'], extra: Partial<CsvRow> = {}): CsvRow {
  n++;
  return { row: n, line: n, cells, ...extra };
}

function one(r: CsvRow, c = ctx()) {
  return validateRows([r], c)[0];
}

describe('validateRows', () => {
  it('resolves a full row: networks by name (any case, X for TWITTER) or id, campaign by name, media ids, lists and the local time', () => {
    const out = one(
      row({
        text: 'Launch day',
        networks: `x; linkedin`,
        scheduledAt: '2026-07-01 09:30',
        campaign: 'Launch',
        media: ids.image,
        tags: 'q3; launch;q3',
        hashtags: '#launch news',
        link: 'https://example.com/launch',
      }),
    );
    expect(out).toMatchObject({ status: 'VALID', errors: [] });
    expect(out.plan).toEqual({
      text: 'Launch day',
      hashtags: ['#launch', 'news'],
      link: 'https://example.com/launch',
      accountIds: [ids.x, ids.li],
      // 09:30 in Paris in summer is 07:30 UTC.
      scheduledAt: '2026-07-01T07:30:00.000Z',
      schedule: true,
      mediaIds: [ids.image],
      campaignId: ids.campaign,
      tags: ['q3', 'launch'],
    });
    expect(one(row({ text: 'by id', networks: ids.fb2.toUpperCase() })).plan?.accountIds).toEqual([ids.fb2]);
  });

  it('reports every problem of a row, each with its column', () => {
    const out = one(
      row({
        text: '  ',
        networks: 'TWITTER;MYSPACE;FACEBOOK;0193f0a0-0000-7000-8000-00000000ffff',
        scheduledAt: 'next tuesday',
        campaign: 'Twin',
        media: `https://cdn.example.com/a.jpg;not-an-id;0193f0a0-0000-7000-8000-00000000eeee;https://`,
        link: 'ftp://example.com',
      }),
    );
    expect(out.status).toBe('INVALID');
    expect(out.plan).toBeNull();
    expect(out.errors).toEqual([
      { column: 'text', message: 'required' },
      { column: 'networks', message: expect.stringContaining("unknown network 'MYSPACE'") },
      { column: 'networks', message: expect.stringMatching(/^2 FACEBOOK accounts are connected .*name one by its account id$/) },
      { column: 'networks', message: '0193f0a0-0000-7000-8000-00000000ffff is not a connected account of this workspace' },
      { column: 'link', message: "'ftp://example.com' is not an http(s) URL" },
      { column: 'campaign', message: "2 campaigns are named 'Twin'; use the campaign id" },
      { column: 'media', message: "'not-an-id' is neither a media asset id nor an http(s) URL" },
      { column: 'media', message: '0193f0a0-0000-7000-8000-00000000eeee is not a media asset of this workspace' },
      { column: 'media', message: "'https://' is not a valid http(s) URL" },
      { column: 'scheduledAt', message: expect.stringContaining("'next tuesday' is not a date and time") },
    ]);
  });

  it('checks the text as it will be sent to each network (hashtags and link added) against its limits', () => {
    const text = 'a'.repeat(270);
    const fits = one(row({ text, networks: 'LINKEDIN;TWITTER' }));
    expect(fits.status).toBe('VALID');
    const tooLong = one(row({ text, networks: 'LINKEDIN;TWITTER', hashtags: 'launch;today' }));
    expect(tooLong.errors).toEqual([{ column: 'text', message: expect.stringMatching(/^TWITTER: TWITTER allows 280 characters; this text has 2\d\d$/) }]);
    const mixed = one(row({ text: 'media', networks: 'TWITTER', media: `${ids.image};${ids.video}` }));
    expect(mixed.errors.every((e) => e.column === 'media' && e.message.startsWith('TWITTER: '))).toBe(true);
    expect(mixed.errors.length).toBeGreaterThan(0);
  });

  it('takes per-network overrides keyed as the networks cell names them, and checks each network with its own text', () => {
    const long = 'a'.repeat(400); // too long for X, fine for LinkedIn
    const out = one(
      row({
        text: long,
        networks: `x;${ids.li};${ids.fb1}`,
        mentions: '@acme, partner',
        overrides: JSON.stringify({ X: { text: 'Short for X', hashtags: ['x'] }, [ids.li.toUpperCase()]: { link: 'https://example.com/li', mentions: ['li'] }, FACEBOOK: {} }),
      }),
    );
    expect(out).toMatchObject({ status: 'VALID', errors: [] });
    expect(out.plan).toMatchObject({
      mentions: ['@acme', 'partner'],
      // An empty override is no override.
      overrides: { [ids.x]: { text: 'Short for X', hashtags: ['x'] }, [ids.li]: { link: 'https://example.com/li', mentions: ['li'] } },
    });
    // The override is the text sent, so it is the one checked.
    const tooLong = one(row({ text: 'short', networks: 'TWITTER', overrides: JSON.stringify({ TWITTER: { text: long } }) }));
    expect(tooLong.errors).toEqual([{ column: 'text', message: expect.stringMatching(/^TWITTER: TWITTER allows 280 characters; this text has 400$/) }]);
  });

  it('names every problem of an overrides cell', () => {
    const bad = (overrides: string, networks = 'TWITTER;FACEBOOK') => one(row({ text: 'hi', networks: networks.replace('FACEBOOK', ids.fb1), overrides })).errors;
    expect(bad('{"TWITTER": ')).toEqual([{ column: 'overrides', message: expect.stringMatching(/^not valid JSON \(.*\); write an object such as \{"TWITTER": \{"text": "…"\}\}$/) }]);
    expect(bad('["TWITTER"]')).toEqual([{ column: 'overrides', message: expect.stringContaining('a JSON object keyed by network or account id') }]);
    expect(
      bad(
        JSON.stringify({
          LINKEDIN: { text: 'not a target' },
          MYSPACE: {},
          [ids.fb2]: { text: 'other page' },
          TWITTER: { text: '', hashtags: 'x', mentions: ['m'.repeat(101)], link: 'ftp://x', emoji: true },
          FACEBOOK: 'text',
        }),
      ),
    ).toEqual([
      { column: 'overrides', message: "LINKEDIN is not one of this row's networks" },
      { column: 'overrides', message: expect.stringContaining("unknown network 'MYSPACE'") },
      { column: 'overrides', message: `${ids.fb2} is not one of this row's networks` },
      // The posts API's own customContent rules, in its words.
      { column: 'overrides', message: 'TWITTER: property emoji should not exist' },
      { column: 'overrides', message: 'TWITTER: text must be longer than or equal to 1 characters' },
      { column: 'overrides', message: 'TWITTER: hashtags must contain no more than 100 elements' },
      { column: 'overrides', message: 'TWITTER: hashtags must be an array' },
      { column: 'overrides', message: 'TWITTER: each value in mentions must be shorter than or equal to 100 characters' },
      { column: 'overrides', message: 'TWITTER: link must be a URL address' },
      { column: 'overrides', message: 'FACEBOOK: an object with text, hashtags, mentions, link' },
    ]);
    // A network that the networks cell names but cannot resolve is reported there, once.
    expect(one(row({ text: 'hi', networks: 'INSTAGRAM', overrides: JSON.stringify({ INSTAGRAM: { text: 'ig' } }) })).errors).toEqual([
      { column: 'networks', message: 'no INSTAGRAM account is connected' },
    ]);
    expect(bad(JSON.stringify({ X: { text: 'a' }, TWITTER: { text: 'b' } }))).toEqual([{ column: 'overrides', message: 'TWITTER: a second entry for the same account' }]);
    expect(bad(JSON.stringify({ FACEBOOK: { text: 'a' } }), `${ids.fb1};${ids.fb2}`)).toEqual([
      { column: 'overrides', message: 'FACEBOOK: the row has 2 FACEBOOK accounts; key the override by account id' },
    ]);
  });

  it('keeps media URLs in order for the fetch, checks the text now and the media once fetched; URLs need media:create', () => {
    const url = 'https://cdn.example.com/launch.jpg';
    const out = one(row({ text: 'a'.repeat(300), networks: 'LINKEDIN;TWITTER', media: `${ids.image};${url}` }));
    // The text is already too long for X; media problems wait for the fetched file.
    expect(out.errors).toEqual([{ column: 'text', message: expect.stringMatching(/^TWITTER: TWITTER allows 280 characters/) }]);
    const ok = one(row({ text: 'with a url', networks: 'TWITTER', media: `${url};${ids.image}` }));
    expect(ok.plan?.mediaIds).toEqual([url, ids.image]);
    const noMedia = one(row({ text: 'no media grant', networks: 'TWITTER', media: url }), ctx({ grants: { ...allowed, mediaCreate: false } }));
    expect(noMedia.errors).toEqual([{ column: 'media', message: expect.stringContaining('needs the media:create permission') }]);
  });

  it('checks fetched media against every network once they are assets', () => {
    const plan = one(row({ text: 'two videos', networks: 'TWITTER', media: `${ids.video};https://cdn.example.com/b.mp4` })).plan!;
    const fetched = { id: '0193f0a0-0000-7000-8000-0000000000d9', media: { kind: 'video' as const, mimeType: 'video/mp4', sizeBytes: 1000, durationSec: 5 } };
    const errors = checkFetchedMedia({ ...plan, mediaIds: [ids.video, fetched.id] }, refs, [...refs.media, fetched]);
    expect(errors).toEqual([{ column: 'media', message: expect.stringMatching(/^TWITTER: .*video/) }]);
    expect(checkFetchedMedia({ ...plan, mediaIds: [fetched.id] }, refs, [fetched])).toEqual([]);
  });

  it('schedules a row with a time, keeps a DRAFT-status row a draft, and refuses a past time only for rows it would schedule', () => {
    expect(one(row({ text: 'later', networks: 'TWITTER', scheduledAt: '2026-07-01T10:00:00Z' })).plan).toMatchObject({ schedule: true, scheduledAt: '2026-07-01T10:00:00.000Z' });
    expect(one(row({ text: 'draft', networks: 'TWITTER', scheduledAt: '2026-07-01T10:00:00Z' }, { status: 'draft' })).plan).toMatchObject({ schedule: false, scheduledAt: '2026-07-01T10:00:00.000Z' });
    expect(one(row({ text: 'no time', networks: 'TWITTER' })).plan).toMatchObject({ schedule: false, scheduledAt: null });
    expect(one(row({ text: 'old', networks: 'TWITTER', scheduledAt: '2026-05-01T10:00:00Z' })).errors).toEqual([{ column: 'scheduledAt', message: expect.stringContaining('has passed') }]);
    expect(one(row({ text: 'old draft', networks: 'TWITTER', scheduledAt: '2026-05-01T10:00:00Z' }, { status: 'DRAFT' })).status).toBe('VALID');
    expect(one(row({ text: 'nowhere', scheduledAt: '2026-07-01T10:00:00Z' })).errors).toEqual([{ column: 'networks', message: expect.stringContaining('needs at least one network') }]);
  });

  it('applies the grants taken when the import started: scheduling needs posts:publish, narrowed grants cover only their networks', () => {
    const editor = ctx({ grants: { createPlatforms: null, publish: null, role: 'EDITOR', mediaCreate: true } });
    expect(one(row({ text: 'planned', networks: 'TWITTER', scheduledAt: '2026-07-01T10:00:00Z' }), editor).errors).toEqual([{ column: 'scheduledAt', message: expect.stringContaining('posts:publish') }]);
    expect(one(row({ text: 'a draft is fine', networks: 'TWITTER' }), editor).status).toBe('VALID');
    const xOnly = ctx({ grants: { createPlatforms: ['TWITTER'], publish: { platforms: ['TWITTER'] }, role: 'MANAGER', mediaCreate: true } });
    expect(one(row({ text: 'both', networks: 'TWITTER;LINKEDIN' }), xOnly).errors).toEqual([{ column: 'networks', message: 'your permissions do not cover posts on LINKEDIN' }]);
  });

  it('does not schedule around an approval workflow that applies to the row (as POST /posts/:id/schedule refuses it); drafts are fine', () => {
    const approvals = [{ name: 'LinkedIn review', config: { levels: [{ mode: 'ANY' as const, approvers: { roles: ['ADMIN' as const] } }], conditions: { platforms: ['LINKEDIN' as const] } } }];
    const c = ctx({ approvals });
    expect(one(row({ text: 'to review', networks: 'LINKEDIN', scheduledAt: '2026-07-01T10:00:00Z' }), c).errors).toEqual([
      { column: 'scheduledAt', message: expect.stringContaining('the approval workflow "LinkedIn review" applies to this post') },
    ]);
    expect(one(row({ text: 'not covered', networks: 'TWITTER', scheduledAt: '2026-07-01T10:00:00Z' }), c).status).toBe('VALID');
    expect(one(row({ text: 'a draft', networks: 'LINKEDIN' }), c).status).toBe('VALID');
    // A workflow whose config no longer validates applies to everything (fail closed).
    expect(one(row({ text: 'broken config', networks: 'TWITTER', scheduledAt: '2026-07-01T10:00:00Z' }), ctx({ approvals: [{ name: 'Broken', config: null }] })).status).toBe('INVALID');
  });

  it('reports a repeated row (same text, networks and time) as a duplicate of the first', () => {
    const out = validateRows(
      [
        { row: 2, line: 2, cells: { text: 'Same', networks: 'TWITTER;LINKEDIN', scheduledAt: '2026-07-01T10:00:00Z' } },
        { row: 3, line: 3, cells: { text: 'Same ', networks: 'linkedin;x', scheduledAt: '2026-07-01 12:00' } },
        { row: 4, line: 4, cells: { text: 'Same', networks: 'TWITTER;LINKEDIN', scheduledAt: '2026-07-02T10:00:00Z' } },
      ],
      ctx(),
    );
    expect(out.map((o) => o.status)).toEqual(['VALID', 'INVALID', 'VALID']);
    expect(out[1].errors).toEqual([{ column: null, message: 'duplicate of row 2 (same text, networks and time)' }]);
  });

  it('refuses scheduled rows beyond the plan quota of their month, counting what the month already holds', () => {
    const quota = { plan: 'FREE', max: 2, used: new Map([['2026-07', 1]]) };
    const out = validateRows(
      [
        row({ text: 'a', networks: 'TWITTER', scheduledAt: '2026-07-10T10:00:00Z' }),
        row({ text: 'b', networks: 'TWITTER', scheduledAt: '2026-07-11T10:00:00Z' }),
        row({ text: 'c', networks: 'TWITTER', scheduledAt: '2026-08-01T10:00:00Z' }),
        row({ text: 'd', networks: 'TWITTER' }),
      ],
      ctx({ quota }),
    );
    expect(out.map((o) => o.status)).toEqual(['VALID', 'INVALID', 'VALID', 'VALID']);
    expect(out[1].errors).toEqual([{ column: 'scheduledAt', message: 'the FREE plan allows 2 scheduled posts per month; 2026-07 (Europe/Paris) is full' }]);
  });

  it('flags a row with more cells than the header', () => {
    expect(one(row({ text: 'Hello' }, { fieldCount: { expected: 2, actual: 3 } })).errors).toEqual([{ column: null, message: expect.stringContaining('quote cells that contain commas') }]);
  });
});

describe('parseCsvTime', () => {
  it('reads an offset as an instant and a bare time in the workspace zone', () => {
    expect(parseCsvTime('2026-12-01T09:30:00+01:00', 'America/New_York')).toEqual({ at: new Date('2026-12-01T08:30:00Z') });
    expect(parseCsvTime('2026-12-01T09:30Z', 'Europe/Paris')).toEqual({ at: new Date('2026-12-01T09:30:00Z') });
    expect(parseCsvTime('2026-12-01 09:30', 'Europe/Paris')).toEqual({ at: new Date('2026-12-01T08:30:00Z') });
    expect(parseCsvTime('2026-12-01 09:30:15.5', 'UTC')).toEqual({ at: new Date('2026-12-01T09:30:15.500Z') });
  });

  it('refuses a wall-clock time a DST change skips, a date alone and ambiguous formats', () => {
    expect(parseCsvTime('2026-03-29 02:30', 'Europe/Paris')).toEqual({ error: expect.stringContaining('does not exist in Europe/Paris') });
    expect(parseCsvTime('2026-12-01', 'UTC')).toEqual({ error: expect.stringContaining('not a date and time') });
    expect(parseCsvTime('12/01/2026 09:30', 'UTC')).toEqual({ error: expect.stringContaining('ISO 8601') });
    expect(parseCsvTime('2026-13-01 09:30', 'UTC')).toEqual({ error: expect.stringContaining('not a valid date') });
  });
});
