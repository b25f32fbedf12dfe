import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import { waitFor } from '@lib/testing';
import { createPublishing, insertAccount, signToken, type Publishing } from './harness';

interface ImportRow {
  row: number;
  line: number;
  status: string;
  errors: { column: string | null; message: string }[];
  postId: string | null;
}

interface ImportBody {
  id: string;
  status: string;
  mode: string;
  total: number;
  validated: number;
  processed: number;
  created: number;
  failed: number;
  skipped: number;
  percent: number;
  error: { code: string; message: string; line?: number } | null;
  rows: { items: ImportRow[]; nextCursor: string | null };
  items?: ImportBody[];
  code?: string;
  line?: number;
  errors?: { field: string; messages: string[] }[];
}

describe('publishing: CSV import and export of posts', () => {
  const ws = randomUUID();
  const otherWs = randomUUID();
  const user = randomUUID();
  let svc: Publishing;
  let db: Publishing['db'];
  let twitter: string;
  let linkedin: string;
  let campaignId: string;
  let mediaId: string;
  const mediaDir = mkdtempSync(path.join(os.tmpdir(), 'bulk-media-'));
  const MAX_MEDIA_BYTES = 200_000;
  // Where the file's media URLs point: a local server (the service runs with private addresses allowed).
  let files: Server;
  let filesUrl: string;

  const token = (role: string, workspaceId: string = ws) => signToken(svc.keys, { sub: user, workspaceId, role }, { expiresIn: '10m' });

  async function call<T = ImportBody>(method: string, path: string, opts: { json?: unknown; csv?: string; role?: string; workspaceId?: string } = {}) {
    const headers: Record<string, string> = { authorization: `Bearer ${token(opts.role ?? 'MANAGER', opts.workspaceId)}` };
    let body: string | undefined;
    if (opts.csv !== undefined) {
      headers['content-type'] = 'text/csv; charset=utf-8';
      body = opts.csv;
    } else if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(`${svc.base}${path}`, { method, headers, body });
    const text = await res.text();
    const isJson = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, headers: res.headers, text, body: (isJson && text ? JSON.parse(text) : {}) as T };
  }

  const account = (platform: string, workspaceId = ws) => insertAccount(db, svc.cipher, { workspaceId, platform });

  /** Polls the import until `done` holds, recording every progress value seen on the way. */
  async function follow(id: string, done: (b: ImportBody) => boolean, seen: number[] = [], timeoutMs = 60_000, workspaceId: string = ws): Promise<ImportBody> {
    let last: ImportBody | undefined;
    await waitFor(
      async () => {
        const res = await call('GET', `/api/v1/posts/imports/${id}`, { workspaceId });
        last = res.body;
        if (res.status === 200 && (seen.length === 0 || seen[seen.length - 1] !== last.processed)) seen.push(last.processed);
        return res.status === 200 && done(last);
      },
      timeoutMs,
      `import ${id} to reach the expected state (last: ${JSON.stringify(last && { ...last, rows: undefined })})`,
    );
    return last!;
  }

  const finished = (b: ImportBody) => b.status === 'COMPLETED' || b.status === 'FAILED';
  const count = async (sql: string, params: unknown[]) => (await db.query<{ n: number }>(sql, params)).rows[0].n;
  const postsTagged = (tag: string) => count(`select count(*)::int as n from posts where "workspaceId" = $1 and tags @> array[$2]`, [ws, tag]);
  const inDays = (d: number) => new Date(Date.now() + d * 86_400_000);

  beforeAll(async () => {
    const image = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#c0392b' } }).png().toBuffer();
    files = createServer((req, res) => {
      if (req.url === '/img.png') return res.writeHead(200, { 'content-type': 'image/png' }).end(image);
      if (req.url === '/moved') return res.writeHead(302, { location: '/img.png?via=redirect' }).end();
      if (req.url === '/img.png?via=redirect') return res.writeHead(200).end(image);
      if (req.url === '/notes.txt') return res.writeHead(200, { 'content-type': 'image/png' }).end('plain text, whatever the header says');
      if (req.url === '/huge') return res.writeHead(200).end(randomBytes(MAX_MEDIA_BYTES + 1));
      if (req.url === '/slow') return; // never answers
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    svc = await createPublishing({
      name: 'bulk',
      env: {
        BULK_IMPORT_POLL_INTERVAL_MS: '100',
        BULK_IMPORT_LEASE_MS: '2000',
        BULK_MEDIA_FETCH_ALLOW_PRIVATE: 'true',
        BULK_MEDIA_FETCH_TIMEOUT_MS: '1500',
        MEDIA_DIR: mediaDir,
        MEDIA_MAX_UPLOAD_BYTES: String(MAX_MEDIA_BYTES),
      },
    });
    db = svc.db;
    await svc.start();
    twitter = await account('TWITTER');
    linkedin = await account('LINKEDIN');
    campaignId = randomUUID();
    await db.query(
      `insert into campaigns (id, "workspaceId", name, "startDate", "endDate", goals, tags, "utmParams", status, "createdAt", "updatedAt")
       values ($1, $2, 'Spring launch', now(), now() + interval '90 days', '{}', '{}', '{}', 'ACTIVE', now(), now())`,
      [campaignId, ws],
    );
    mediaId = randomUUID();
    await db.query(
      `insert into media_assets (id, "workspaceId", type, url, filename, size, dimensions, metadata, tags, "createdAt", "updatedAt")
       values ($1, $2, 'IMAGE', 'https://cdn.example.test/a.jpg', 'a.jpg', 120000, '{"width": 1200, "height": 800}', '{"mimeType": "image/jpeg"}', '{}', now(), now())`,
      [mediaId, ws],
    );
  });

  afterAll(async () => {
    await svc?.stop();
    files?.closeAllConnections();
    await new Promise((resolve) => files?.close(resolve));
    rmSync(mediaDir, { recursive: true, force: true });
  });

  it('imports 10,000 rows in the background: progress moves, a SIGKILLed service resumes, every post is created exactly once', async () => {
    const tag = `big${Date.now()}`;
    const lines = ['text,networks,scheduledAt,campaign,tags'];
    for (let i = 0; i < 10_000; i++) {
      const networks = ['TWITTER', 'LINKEDIN', 'TWITTER;LINKEDIN'][i % 3];
      // Every other row is scheduled (a local time, read in the workspace zone), the rest are drafts.
      const when = i % 2 === 0 ? inDays(30).toISOString().slice(0, 10) + ` ${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}` : '';
      lines.push(`"Post ${i} of the big import, with a comma and a few more words",${networks},${when},${i % 5 === 0 ? 'Spring launch' : ''},${tag};bulk`);
    }
    const csv = lines.join('\n');
    expect(csv.length).toBeGreaterThan(1024 * 1024); // above the service's JSON body limit

    const started = await call('POST', '/api/v1/posts/imports?mode=all-or-nothing', { csv });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/api/v1/posts/imports/${started.body.id}`);
    expect(started.body).toMatchObject({ status: 'QUEUED', total: 10_000, processed: 0, percent: 0 });

    // Watch it move, then kill the service in the middle of the creation batches.
    const seen: number[] = [];
    const midway = await follow(started.body.id, (b) => finished(b) || (b.status === 'IMPORTING' && b.processed > 0 && seen.filter((p) => p > 0).length >= 2), seen);
    expect(midway.status).toBe('IMPORTING'); // if this fails, the import outran the polling: it was never interrupted
    svc.proc.child.kill('SIGKILL');
    await svc.proc.exited;
    const atKill = await count(`select count(*)::int as n from posts where tags @> array[$1]`, [tag]);
    expect(atKill).toBeLessThan(10_000);

    await svc.start();
    const done = await follow(started.body.id, finished, seen, 120_000);
    expect(done).toMatchObject({ status: 'COMPLETED', total: 10_000, processed: 10_000, created: 10_000, failed: 0, percent: 100, error: null });
    // Progress was seen strictly growing through intermediate values.
    const intermediate = seen.filter((p) => p > 0 && p < 10_000);
    expect(intermediate.length).toBeGreaterThanOrEqual(2);
    expect(intermediate).toEqual([...intermediate].sort((a, b) => a - b));

    // Exactly once: 10,000 posts, 10,000 distinct texts, and every row points at its own post.
    expect(await postsTagged(tag)).toBe(10_000);
    expect(await count(`select count(distinct content->>'text')::int as n from posts where tags @> array[$1]`, [tag])).toBe(10_000);
    expect(await count(`select count(distinct "postId")::int as n from post_import_rows where "importId" = $1 and status = 'CREATED'`, [done.id])).toBe(10_000);
    // Scheduled rows are SCHEDULED with one publish job per network; drafts have none.
    expect(await count(`select count(*)::int as n from posts where tags @> array[$1] and status = 'SCHEDULED'`, [tag])).toBe(5_000);
    expect(await count(`select count(*)::int as n from posts where tags @> array[$1] and status = 'DRAFT' and "scheduledAt" is null`, [tag])).toBe(5_000);
    const scheduledTargets = await count(`select count(*)::int as n from platform_posts pp join posts p on p.id = pp."postId" where p.tags @> array[$1] and p.status = 'SCHEDULED'`, [tag]);
    expect(await count(`select count(*)::int as n from publish_jobs j join posts p on p.id = j."postId" where p.tags @> array[$1] and j.state = 'pending' and j."dueAt" = p."scheduledAt"`, [tag])).toBe(scheduledTargets);
    expect(await count(`select count(*)::int as n from publish_jobs j join posts p on p.id = j."postId" where p.tags @> array[$1] and p.status = 'DRAFT'`, [tag])).toBe(0);
    expect(await count(`select count(*)::int as n from outbox where topic = 'post.scheduled' and envelope->'data'->>'postId' in (select id::text from posts where tags @> array[$1])`, [tag])).toBe(5_000);
    expect(await count(`select count(*)::int as n from posts where tags @> array[$1] and "campaignId" = $2`, [tag, campaignId])).toBe(2_000);
    // The file is not kept once the import is over.
    expect(await count(`select count(*)::int as n from post_imports where id = $1 and source is null`, [done.id])).toBe(1);

    // The export walks all 10,000 page by page: each post once.
    const exported = await call('GET', `/api/v1/posts/export?tag=${tag}`);
    const records = parse(exported.text, { bom: true, columns: true }) as { id: string }[];
    expect(records).toHaveLength(10_000);
    expect(new Set(records.map((r) => r.id)).size).toBe(10_000);
  });

  it('gives up, clearly, an import whose replicas keep dying instead of leaving it running', async () => {
    // As a crash loop leaves it: IMPORTING, its lease expired, claimed 5 times already.
    const id = randomUUID();
    await db.query(
      `insert into post_imports (id, "workspaceId", "createdBy", mode, "dryRun", status, total, validated, processed, created, failed, skipped, source, grants, "leasedBy", "leaseUntil", attempts, "createdAt", "updatedAt", "startedAt")
       values ($1, $2, $3, 'valid-only', false, 'IMPORTING', 2, 2, 0, 0, 0, 0, 'text\na\nb', '{"createPlatforms":null,"publish":null,"role":"EDITOR","mediaCreate":true}', 'dead-replica', now() - interval '1 minute', 5, now(), now(), now())`,
      [id, ws, user],
    );
    await db.query(
      `insert into post_import_rows ("importId", row, line, status, data) values ($1, 2, 2, 'VALID', '{"text":"a","accountIds":[],"scheduledAt":null,"schedule":false,"mediaIds":[],"campaignId":null,"tags":[]}'), ($1, 3, 3, 'VALID', '{"text":"b","accountIds":[],"scheduledAt":null,"schedule":false,"mediaIds":[],"campaignId":null,"tags":[]}')`,
      [id],
    );
    const done = await follow(id, finished);
    expect(done).toMatchObject({ status: 'FAILED', processed: 2, created: 0, skipped: 2, percent: 100, error: { code: 'PUBLISHING.IMPORT_INTERRUPTED', message: expect.stringContaining('interrupted 5 times') } });
    expect(done.rows.items.map((r) => r.status)).toEqual(['SKIPPED', 'SKIPPED']);
  });

  const fiveRows = (tag: string) =>
    [
      'text,networks,scheduledAt,tags',
      `one,TWITTER,,${tag}`,
      `two,LINKEDIN,${inDays(3).toISOString()},${tag}`,
      `three,TWITTER;LINKEDIN,,${tag}`,
      `four,MYSPACE,,${tag}`,
      `five,TWITTER,,${tag}`,
    ].join('\n');

  it('all-or-nothing: one bad row and nothing is created; the report names the row and the column', async () => {
    const tag = `aon${Date.now()}`;
    const started = await call('POST', '/api/v1/posts/imports', { csv: fiveRows(tag) });
    expect(started.status).toBe(202);
    const done = await follow(started.body.id, finished);
    expect(done).toMatchObject({ status: 'FAILED', mode: 'all-or-nothing', total: 5, processed: 5, created: 0, failed: 1, skipped: 4, error: { code: 'PUBLISHING.IMPORT_ROWS_INVALID' } });
    expect(await postsTagged(tag)).toBe(0);
    expect(done.rows.items.map((r) => [r.row, r.status])).toEqual([
      [2, 'SKIPPED'],
      [3, 'SKIPPED'],
      [4, 'SKIPPED'],
      [5, 'INVALID'],
      [6, 'SKIPPED'],
    ]);
    const invalid = await call('GET', `/api/v1/posts/imports/${done.id}?rowStatus=INVALID`);
    expect(invalid.body.rows.items).toEqual([{ row: 5, line: 5, status: 'INVALID', errors: [{ column: 'networks', message: expect.stringContaining("unknown network 'MYSPACE'") }], postId: null }]);
  });

  it('valid-only: the valid rows are created, the invalid one reported; a dry run creates nothing', async () => {
    const tag = `vo${Date.now()}`;
    const dry = await call('POST', '/api/v1/posts/imports?mode=valid-only&dryRun=true', { csv: fiveRows(tag) });
    const dryDone = await follow(dry.body.id, finished);
    expect(dryDone).toMatchObject({ status: 'COMPLETED', created: 0, failed: 1 });
    expect(dryDone.rows.items.filter((r) => r.status === 'VALID')).toHaveLength(4);
    expect(await postsTagged(tag)).toBe(0);

    const started = await call('POST', '/api/v1/posts/imports?mode=valid-only', { csv: fiveRows(tag) });
    const done = await follow(started.body.id, finished);
    expect(done).toMatchObject({ status: 'COMPLETED', total: 5, processed: 5, created: 4, failed: 1, skipped: 0, percent: 100 });
    expect(await postsTagged(tag)).toBe(4);
    const created = done.rows.items.filter((r) => r.status === 'CREATED');
    expect(created.map((r) => r.row)).toEqual([2, 3, 4, 6]);
    const post = await call<{ content: { text: string }; status: string; targets: { platform: string }[] }>('GET', `/api/v1/posts/${created[1].postId}`);
    expect(post.body).toMatchObject({ content: { text: 'two' }, status: 'SCHEDULED', targets: [{ platform: 'LINKEDIN' }] });
    // The report pages with an opaque cursor.
    const page1 = await call('GET', `/api/v1/posts/imports/${done.id}?limit=2`);
    expect(page1.body.rows.items.map((r) => r.row)).toEqual([2, 3]);
    const page2 = await call('GET', `/api/v1/posts/imports/${done.id}?limit=2&cursor=${page1.body.rows.nextCursor}`);
    expect(page2.body.rows.items.map((r) => r.row)).toEqual([4, 5]);
    const list = await call('GET', '/api/v1/posts/imports?limit=2');
    expect(list.body.items!.map((i) => i.id)).toEqual([done.id, dryDone.id]);
  });

  it('fetches media URLs into the media library (once per URL, redirects followed) and reports the ones that fail', async () => {
    const tag = `url${Date.now()}`;
    const rows = [
      `redirected and an id,TWITTER,${filesUrl}/moved;${mediaId}`,
      `same file again,LINKEDIN,${filesUrl}/img.png`,
      `and again,TWITTER,${filesUrl}/img.png`,
      `missing,TWITTER,${filesUrl}/missing`,
      `too big,TWITTER,${filesUrl}/huge`,
      `too slow,TWITTER,${filesUrl}/slow`,
      `not media,TWITTER,${filesUrl}/notes.txt`,
    ];
    const before = await count(`select count(*)::int as n from media_assets where "workspaceId" = $1`, [ws]);
    const started = await call('POST', '/api/v1/posts/imports?mode=valid-only', { csv: ['text,networks,media,tags', ...rows.map((r) => `${r},${tag}`)].join('\n') });
    const done = await follow(started.body.id, finished);
    expect(done).toMatchObject({ status: 'COMPLETED', created: 3, failed: 4 });
    expect(done.rows.items.slice(3).map((r) => [r.row, r.errors])).toEqual([
      [5, [{ column: 'media', message: `${filesUrl}/missing: the server answered HTTP 404` }]],
      [6, [{ column: 'media', message: expect.stringMatching(/\/huge: (the file is larger than|File too large)/) }]],
      [7, [{ column: 'media', message: `${filesUrl}/slow: no complete answer within 2 s` }]],
      [8, [{ column: 'media', message: expect.stringContaining('/notes.txt: Unsupported file type') }]],
    ]);
    // Two URLs fetched, two assets; the post keeps the file's media order.
    expect(await count(`select count(*)::int as n from media_assets where "workspaceId" = $1`, [ws])).toBe(before + 2);
    const media = await db.query<{ text: string; media: string[]; types: string[] }>(
      `select p.content->>'text' as text, array(select pm."mediaId"::text from post_media pm where pm."postId" = p.id order by pm.order) as media,
              array(select m.type::text from post_media pm join media_assets m on m.id = pm."mediaId" where pm."postId" = p.id order by pm.order) as types
         from posts p where p.tags @> array[$1] order by p."createdAt"`,
      [tag],
    );
    expect(media.rows.map((r) => r.text)).toEqual(['redirected and an id', 'same file again', 'and again']);
    expect(media.rows[0].media[1]).toBe(mediaId);
    expect(media.rows[0].types).toEqual(['IMAGE', 'IMAGE']);
    expect(media.rows[1].media).toEqual(media.rows[2].media);
    expect(media.rows[1].media[0]).not.toBe(media.rows[0].media[0]);
  });

  it("takes the CSV as a multipart file too (a browser's file input), with the same checks and limit", async () => {
    const tag = `mp${Date.now()}`;
    const upload = async (parts: [string, Blob | string, string?][], query = '', key?: string) => {
      const form = new FormData();
      for (const [name, value, filename] of parts) {
        if (typeof value === 'string') form.append(name, value);
        else form.append(name, value, filename);
      }
      const headers = { authorization: `Bearer ${token('MANAGER')}`, ...(key ? { 'idempotency-key': key } : {}) };
      const res = await fetch(`${svc.base}/api/v1/posts/imports${query}`, { method: 'POST', headers, body: form });
      return { status: res.status, replayed: res.headers.get('idempotency-replayed'), body: (await res.json()) as ImportBody & { errors?: { field: string; messages: string[] }[]; code?: string; limitBytes?: number } };
    };
    const csvFile = (text: string) => new Blob([text], { type: 'text/csv' });
    const started = await upload([['file', csvFile(fiveRows(tag)), 'posts.csv']], '?mode=valid-only');
    expect(started.status).toBe(202);
    expect(await follow(started.body.id, finished)).toMatchObject({ status: 'COMPLETED', total: 5, created: 4, failed: 1 });
    expect(await postsTagged(tag)).toBe(4);

    const before = await count(`select count(*)::int as n from post_imports`, []);
    const field = await upload([['mode', 'valid-only'], ['file', csvFile(fiveRows(tag)), 'posts.csv']]);
    expect([field.status, field.body.code, field.body.errors?.[0].field]).toEqual([400, 'PUBLISHING.IMPORT_CSV_INVALID', 'file']);
    const crowded = await upload(Array.from({ length: 12 }, (_, i): [string, string] => [`f${i}`, 'x']));
    expect([crowded.status, crowded.body.code]).toEqual([400, 'PUBLISHING.IMPORT_CSV_INVALID']);
    const twoFiles = await upload([['file', csvFile(fiveRows(tag)), 'a.csv'], ['file', csvFile(fiveRows(tag)), 'b.csv']]);
    expect([twoFiles.status, twoFiles.body.errors?.[0].messages]).toEqual([400, ['send exactly one file']]);
    const misnamed = await upload([['csv', csvFile(fiveRows(tag)), 'posts.csv']]);
    expect([misnamed.status, misnamed.body.errors?.[0].messages]).toEqual([400, ['send the CSV in a part named `file`']]);
    const huge = await upload([['file', csvFile(`text,networks\n${'x'.repeat(10 * 1024 * 1024)},TWITTER\n`), 'huge.csv']]);
    expect([huge.status, huge.body.code, huge.body.limitBytes]).toEqual([422, 'PUBLISHING.IMPORT_SIZE_LIMIT_REACHED', 10 * 1024 * 1024]);
    expect(await count(`select count(*)::int as n from post_imports`, [])).toBe(before);

    // Idempotency-Key on the form: the same file is the same import; another file with that key is refused.
    const key = `import-${tag}`;
    const same = fiveRows(`${tag}k`);
    const once = await upload([['file', csvFile(same), 'posts.csv']], '?dryRun=true', key);
    const twice = await upload([['file', csvFile(same), 'posts.csv']], '?dryRun=true', key);
    expect([once.status, twice.status, twice.replayed, twice.body.id]).toEqual([202, 202, 'true', once.body.id]);
    const changed = await upload([['file', csvFile(fiveRows(`${tag}other`)), 'posts.csv']], '?dryRun=true', key);
    expect([changed.status, changed.body.code]).toEqual([422, 'COMMON.IDEMPOTENCY_KEY_REUSED']);
    expect(await count(`select count(*)::int as n from post_imports`, [])).toBe(before + 1);
  });

  it('refuses a broken file at once naming the line, an unknown column naming it, and a non-CSV body; nothing is stored', async () => {
    const before = await count(`select count(*)::int as n from post_imports`, []);
    const broken = await call('POST', '/api/v1/posts/imports', { csv: 'text,networks\nok,TWITTER\n"unbalanced,TWITTER\nnext,TWITTER\n' });
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ code: 'PUBLISHING.IMPORT_CSV_INVALID', line: 3 });
    expect(broken.text).toContain('line 3');
    const unknown = await call('POST', '/api/v1/posts/imports', { csv: 'text,networks,colour\nhi,TWITTER,red\n' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors!.map((e) => e.field)).toEqual(['colour']);
    const json = await call('POST', '/api/v1/posts/imports', { json: { text: 'hi' } });
    expect(json.status).toBe(400);
    expect(json.body.code).toBe('PUBLISHING.IMPORT_CSV_INVALID');
    expect(await count(`select count(*)::int as n from post_imports`, [])).toBe(before);
  });

  it('keeps workspaces and roles apart: another workspace sees 404, a VIEWER cannot import, an EDITOR cannot schedule', async () => {
    const tag = `perm${Date.now()}`;
    const started = await call('POST', '/api/v1/posts/imports', { csv: `text,networks\nmine,TWITTER\n` });
    await follow(started.body.id, finished);
    expect((await call('GET', `/api/v1/posts/imports/${started.body.id}`, { role: 'OWNER', workspaceId: otherWs })).status).toBe(404);
    expect((await call('GET', '/api/v1/posts/imports', { role: 'OWNER', workspaceId: otherWs })).body.items).toEqual([]);
    const viewer = await call('POST', '/api/v1/posts/imports', { csv: 'text\nhi\n', role: 'VIEWER' });
    expect(viewer.status).toBe(403);
    expect((await call('GET', `/api/v1/posts/imports/${started.body.id}`, { role: 'VIEWER' })).status).toBe(200);

    // Scheduling needs posts:publish (MANAGER): an EDITOR's timed row is refused, a draft row goes in.
    const editor = await call('POST', '/api/v1/posts/imports?mode=valid-only', {
      role: 'EDITOR',
      csv: `text,networks,scheduledAt,tags,status\nplanned,TWITTER,${inDays(2).toISOString()},${tag},\nkept as draft,TWITTER,${inDays(2).toISOString()},${tag},DRAFT\n`,
    });
    const done = await follow(editor.body.id, finished);
    expect(done).toMatchObject({ status: 'COMPLETED', created: 1, failed: 1 });
    expect(done.rows.items[0].errors).toEqual([{ column: 'scheduledAt', message: expect.stringContaining('posts:publish') }]);
    expect(await count(`select count(*)::int as n from posts where tags @> array[$1] and status = 'DRAFT' and "scheduledAt" is not null`, [tag])).toBe(1);

    // An approval workflow that applies to a row: it is not scheduled around the review.
    const reviewed = randomUUID();
    await account('LINKEDIN', reviewed);
    await db.query(
      `insert into workflows (id, "workspaceId", name, type, config, "isActive", "createdAt", "updatedAt")
       values ($1, $2, 'LinkedIn review', 'APPROVAL', $3, true, now(), now())`,
      [randomUUID(), reviewed, JSON.stringify({ levels: [{ mode: 'ANY', approvers: { roles: ['ADMIN'] } }], conditions: { platforms: ['LINKEDIN'] } })],
    );
    const review = await call('POST', '/api/v1/posts/imports', { workspaceId: reviewed, csv: `text,networks,scheduledAt\nfor review,LINKEDIN,${inDays(2).toISOString()}\n` });
    const refused = await follow(review.body.id, finished, [], 60_000, reviewed);
    expect(refused).toMatchObject({ status: 'FAILED', created: 0 });
    expect(refused.rows.items[0].errors).toEqual([{ column: 'scheduledAt', message: expect.stringContaining('the approval workflow "LinkedIn review" applies') }]);
  });

  it('reads local times in the workspace time zone, keeps to the plan quota per month, and exports times with the offset', async () => {
    const zoned = randomUUID();
    await account('TWITTER', zoned);
    await db.query(
      `insert into workspace_profiles ("workspaceId", plan, "timeZone", limits, "updatedAt") values ($1, 'FREE', 'Europe/Paris', '{"scheduledPostsPerMonth": 2}', now())`,
      [zoned],
    );
    const year = new Date().getUTCFullYear() + 1;
    const csv = ['text,networks,scheduledAt', `a,TWITTER,${year}-01-15 09:30`, `b,TWITTER,${year}-01-16 09:30`, `c,TWITTER,${year}-01-17 09:30`, `d,TWITTER,${year}-02-01T09:30:00Z`].join('\n');
    const started = await call('POST', '/api/v1/posts/imports?mode=valid-only', { csv, workspaceId: zoned });
    const done = await follow(started.body.id, finished, [], 60_000, zoned);
    expect(done).toMatchObject({ status: 'COMPLETED', created: 3, failed: 1 });
    expect(done.rows.items[2]).toMatchObject({ row: 4, status: 'INVALID', errors: [{ column: 'scheduledAt', message: `the FREE plan allows 2 scheduled posts per month; ${year}-01 (Europe/Paris) is full` }] });
    const times = await db.query<{ text: string; at: Date }>(`select content->>'text' as text, "scheduledAt" as at from posts where "workspaceId" = $1 order by 1`, [zoned]);
    expect(times.rows.map((r) => [r.text, r.at.toISOString()])).toEqual([
      ['a', `${year}-01-15T08:30:00.000Z`],
      ['b', `${year}-01-16T08:30:00.000Z`],
      ['d', `${year}-02-01T09:30:00.000Z`],
    ]);
    const exported = parse((await call('GET', '/api/v1/posts/export', { workspaceId: zoned })).text, { bom: true, columns: true }) as { text: string; scheduledAt: string }[];
    expect(exported.find((r) => r.text === 'a')?.scheduledAt).toBe(`${year}-01-15T09:30:00+01:00`);
  });

  it('exports posts as CSV with the list filters, guards formulas, and the file re-imports as is', async () => {
    const tag = `rt${Date.now()}`;
    const formula = '=HYPERLINK("http://evil.example","click")';
    const when = inDays(10);
    // Per-network content, keyed as the networks cell names them (X is TWITTER).
    const overrides = { X: { text: 'Short for X' }, LINKEDIN: { hashtags: ['b2b'], link: 'https://example.com/li' } };
    const source = [
      'text,networks,scheduledAt,media,campaign,tags,link,hashtags,mentions,overrides',
      `"${formula.replace(/"/g, '""')}",${twitter},,,,${tag};-minus,,,,`,
      `Scheduled with everything,TWITTER;LINKEDIN,${when.toISOString()},${mediaId},Spring launch,${tag};launch,https://example.com/spring,spring;news,acme;partner,"${JSON.stringify(overrides).replace(/"/g, '""')}"`,
      `"Multi-line
draft",${linkedin},,,,${tag},,,,`,
    ].join('\n');
    const first = await follow((await call('POST', '/api/v1/posts/imports', { csv: source })).body.id, finished);
    expect(first).toMatchObject({ status: 'COMPLETED', created: 3 });

    const exported = await call('GET', `/api/v1/posts/export?tag=${tag}`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toContain('text/csv');
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    const records = parse(exported.text, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0])).toEqual(['id', 'status', 'text', 'networks', 'scheduledAt', 'media', 'campaign', 'tags', 'link', 'hashtags', 'mentions', 'overrides', 'publishedAt', 'networkStatuses', 'networkErrors']);
    expect(records).toHaveLength(3);
    // No cell starts a spreadsheet formula.
    for (const r of records) for (const v of Object.values(r)) expect(v).not.toMatch(/^[=+\-@\t\r]/);
    const guarded = records.find((r) => r.text.includes('HYPERLINK'))!;
    expect(guarded.text).toBe(`'${formula}`);
    const scheduled = records.find((r) => r.status === 'SCHEDULED')!;
    expect(scheduled).toMatchObject({ networks: 'TWITTER;LINKEDIN', media: mediaId, campaign: campaignId, link: 'https://example.com/spring', hashtags: 'spring;news', mentions: 'acme;partner', networkStatuses: 'TWITTER=PENDING;LINKEDIN=PENDING' });
    expect(JSON.parse(scheduled.overrides)).toEqual({ TWITTER: { text: 'Short for X' }, LINKEDIN: { hashtags: ['b2b'], link: 'https://example.com/li' } });
    expect(records.filter((r) => r.overrides === '')).toHaveLength(2);
    expect(new Date(scheduled.scheduledAt).getTime()).toBe(new Date(when.toISOString()).getTime());
    // Filters are the list's: a status filter narrows the export.
    const onlyScheduled = parse((await call('GET', `/api/v1/posts/export?tag=${tag}&status=SCHEDULED`)).text, { bom: true, columns: true }) as unknown[];
    expect(onlyScheduled).toHaveLength(1);
    expect((await call('GET', `/api/v1/posts/export?status=NOPE`)).status).toBe(400);

    // Round trip: the exported file goes back in unchanged and creates the same posts again.
    const again = await follow((await call('POST', '/api/v1/posts/imports', { csv: exported.text })).body.id, finished);
    expect(again).toMatchObject({ status: 'COMPLETED', created: 3, failed: 0 });
    const { rows } = await db.query<{ text: string; status: string; scheduledAt: Date | null; campaignId: string | null; tags: string[]; link: string | null; hashtags: string[] | null; mentions: string[]; platforms: string[]; custom: unknown[]; media: string[] }>(
      `select p.content->>'text' as text, p.status, p."scheduledAt", p."campaignId", p.tags, p.content->>'link' as link,
              array(select jsonb_array_elements_text(p.content->'hashtags')) as hashtags,
              array(select jsonb_array_elements_text(p.content->'mentions')) as mentions,
              array(select pp.platform::text from platform_posts pp where pp."postId" = p.id order by pp.platform) as platforms,
              array(select pp."customContent" from platform_posts pp where pp."postId" = p.id order by pp.platform) as custom,
              array(select pm."mediaId"::text from post_media pm where pm."postId" = p.id order by pm.order) as media
         from posts p where p.tags @> array[$1] order by p.content->>'text', p."createdAt"`,
      [tag],
    );
    expect(rows).toHaveLength(6);
    for (let i = 0; i < 6; i += 2) expect(rows[i + 1]).toEqual(rows[i]);
    expect(rows.map((r) => r.text)).toContain(formula);
    // The overrides reached each network's platform post, in both generations.
    const everything = rows.filter((r) => r.text === 'Scheduled with everything');
    for (const r of everything) {
      // In the platform enum's order.
      expect(r).toMatchObject({ platforms: ['TWITTER', 'LINKEDIN'], mentions: ['acme', 'partner'], custom: [{ text: 'Short for X' }, { hashtags: ['b2b'], link: 'https://example.com/li' }] });
    }
  });
});
