import { randomUUID } from 'node:crypto';
import { callAs, insertAccount, signToken, startPublishing, type Publishing } from './harness';

interface PostBody {
  id: string;
  status: string;
  tags: string[];
  content: { text: string };
  targets: { accountId: string; platform: string; customContent: unknown }[];
  code?: string;
  allowed?: string[];
  errors?: { field: string }[];
}

describe('publishing: drafts and the post status machine', () => {
  const ws = randomUUID();
  const otherWs = randomUUID();
  const editor = randomUUID();
  let svc: Publishing;
  let db: Publishing['db'];
  let twitter: string;
  let linkedin: string;

  const call = (method: string, path: string, body?: unknown, role = 'EDITOR', workspaceId = ws) =>
    callAs(svc.base, signToken(svc.keys, { sub: editor, workspaceId, role }))<PostBody & { items?: PostBody[]; nextCursor?: string | null }>(method, path, body);

  const account = (platform: string, workspaceId = ws) => insertAccount(db, svc.cipher, { workspaceId, platform, refreshToken: 'refresh-secret' });

  beforeAll(async () => {
    svc = await startPublishing({ name: 'posts' });
    db = svc.db;
    twitter = await account('TWITTER');
    linkedin = await account('LINKEDIN');
  });

  afterAll(async () => {
    await svc?.stop();
  });

  it('creates a draft with targets, overrides and tags, and reads it back', async () => {
    const created = await call('POST', '/api/v1/posts', {
      content: { text: 'Launch day!', hashtags: ['launch'], link: 'https://example.com/launch' },
      targets: [{ accountId: twitter, customContent: { text: 'Launch day on X' } }, { accountId: linkedin }],
      tags: ['launch', 'q4'],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: 'DRAFT', tags: ['launch', 'q4'], content: { text: 'Launch day!' } });
    expect(created.body.targets.map((t) => t.platform).sort()).toEqual(['LINKEDIN', 'TWITTER']);
    expect(created.body.targets.find((t) => t.platform === 'TWITTER')!.customContent).toEqual({ text: 'Launch day on X' });
    const read = await call('GET', `/api/v1/posts/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(created.body.id);
  });

  it('names what is wrong with bad input and stores nothing', async () => {
    const before = (await db.query('select count(*)::int as n from posts')).rows[0].n;
    const unknown = await call('POST', '/api/v1/posts', { content: { text: 'x' }, colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors!.map((e) => e.field)).toContain('colour');
    const empty = await call('POST', '/api/v1/posts', { content: { text: '' }, targets: [{ accountId: 'nope' }] });
    expect(empty.status).toBe(400);
    expect(empty.body.errors!.map((e) => e.field).sort()).toEqual(['content.text', 'targets.0.accountId']);
    // A network's override is held to the post's own limits (at most 100 hashtags and mentions, 100 characters each).
    const crowded = await call('POST', '/api/v1/posts', {
      content: { text: 'x' },
      targets: [{ accountId: twitter, customContent: { hashtags: Array.from({ length: 101 }, (_, i) => `t${i}`), mentions: ['m'.repeat(101)] } }],
    });
    expect(crowded.status).toBe(400);
    expect(crowded.body.errors!.map((e) => e.field).sort()).toEqual(['targets.0.customContent.hashtags', 'targets.0.customContent.mentions']);
    const foreign = await call('POST', '/api/v1/posts', { content: { text: 'x' }, targets: [{ accountId: await account('TWITTER', otherWs) }] });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('PUBLISHING.ACCOUNT_NOT_FOUND');
    expect((await db.query('select count(*)::int as n from posts')).rows[0].n).toBe(before);
    // Updates are validated like creates, nested fields and unknown fields included.
    const { body: draft } = await call('POST', '/api/v1/posts', { content: { text: 'keep me' } });
    const badPatch = await call('PATCH', `/api/v1/posts/${draft.id}`, { content: { text: '' }, colour: 'red', scheduledAt: 'tomorrow' });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.errors!.map((e) => e.field).sort()).toEqual(['colour', 'content.text', 'scheduledAt']);
    expect((await call('GET', `/api/v1/posts/${draft.id}`)).body.content.text).toBe('keep me');
  });

  it('refuses an illegal transition with 409 naming the allowed ones, and edits only editable posts', async () => {
    const { body: post } = await call('POST', '/api/v1/posts', { content: { text: 'to archive' }, targets: [{ accountId: twitter }] });
    const same = await call('POST', `/api/v1/posts/${post.id}/transitions`, { to: 'DRAFT' });
    expect(same.status).toBe(409);
    expect(same.body).toMatchObject({ code: 'PUBLISHING.ILLEGAL_TRANSITION', allowed: ['PENDING_APPROVAL', 'APPROVED', 'SCHEDULED', 'ARCHIVED'] });
    expect((await call('POST', `/api/v1/posts/${post.id}/transitions`, { to: 'ARCHIVED' })).body.status).toBe('ARCHIVED');
    const edit = await call('PATCH', `/api/v1/posts/${post.id}`, { content: { text: 'changed' } });
    expect(edit.status).toBe(409);
    expect((await call('POST', `/api/v1/posts/${post.id}/transitions`, { to: 'DRAFT' })).body.status).toBe('DRAFT');
    const edited = await call('PATCH', `/api/v1/posts/${post.id}`, { content: { text: 'changed' }, targets: [{ accountId: linkedin }] });
    expect(edited.status).toBe(200);
    expect(edited.body.content.text).toBe('changed');
    expect(edited.body.targets.map((t) => t.platform)).toEqual(['LINKEDIN']);
  });

  it('unscheduling a post (back to DRAFT, or archived) removes its queued sends', async () => {
    const at = new Date(Date.now() + 24 * 3600_000).toISOString();
    const jobs = async (id: string) => (await db.query('select count(*)::int as n from publish_jobs where "postId" = $1', [id])).rows[0].n;
    for (const to of ['DRAFT', 'ARCHIVED']) {
      const { body: post } = await call('POST', '/api/v1/posts', { content: { text: `going out later ${to}` }, targets: [{ accountId: twitter }, { accountId: linkedin }] });
      expect((await call('POST', `/api/v1/posts/${post.id}/schedule`, { scheduledAt: at }, 'MANAGER')).body.status).toBe('SCHEDULED');
      expect(await jobs(post.id)).toBe(2);
      expect((await call('POST', `/api/v1/posts/${post.id}/transitions`, { to })).body.status).toBe(to);
      expect(await jobs(post.id)).toBe(0);
    }
  });

  it('lists with filters and an opaque cursor, newest first', async () => {
    const tag = `t${Date.now()}`;
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await call('POST', '/api/v1/posts', { content: { text: `p${i}` }, targets: [{ accountId: i === 0 ? linkedin : twitter }], tags: [tag] })).body.id);
    const page1 = await call('GET', `/api/v1/posts?tag=${tag}&limit=2`);
    expect(page1.body.items!.map((p) => p.id)).toEqual([ids[2], ids[1]]);
    const page2 = await call('GET', `/api/v1/posts?tag=${tag}&limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items!.map((p) => p.id)).toEqual([ids[0]]);
    expect(page2.body.nextCursor).toBeNull();
    const onLinkedIn = await call('GET', `/api/v1/posts?tag=${tag}&platform=LINKEDIN`);
    expect(onLinkedIn.body.items!.map((p) => p.id)).toEqual([ids[0]]);
    expect((await call('GET', '/api/v1/posts?status=NOPE')).status).toBe(400);
    expect((await call('GET', '/api/v1/posts?cursor=junk')).status).toBe(400);
  });

  it('keeps workspaces apart and applies the role matrix', async () => {
    const { body: post } = await call('POST', '/api/v1/posts', { content: { text: 'mine' } });
    expect((await call('GET', `/api/v1/posts/${post.id}`, undefined, 'OWNER', otherWs)).status).toBe(404);
    expect((await call('PATCH', `/api/v1/posts/${post.id}`, { tags: ['x'] }, 'OWNER', otherWs)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/posts/${post.id}`, undefined, 'OWNER', otherWs)).status).toBe(404);
    expect((await call('POST', '/api/v1/posts', { content: { text: 'v' } }, 'VIEWER')).status).toBe(403);
    expect((await call('DELETE', `/api/v1/posts/${post.id}`, undefined, 'EDITOR')).status).toBe(403);
    expect((await call('DELETE', `/api/v1/posts/${post.id}`, undefined, 'MANAGER')).status).toBe(204);
    expect((await call('GET', `/api/v1/posts/${post.id}`)).status).toBe(404);
  });

  it('stores network tokens only encrypted', async () => {
    const { rows } = await db.query<{ t: string }>('select t::text from social_accounts t');
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.t).not.toMatch(/access-secret|refresh-secret/);
  });
});
