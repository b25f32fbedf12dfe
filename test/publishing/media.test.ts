import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { waitFor } from '@lib/testing';
import { bundledFfmpegPath } from '../../apps/publishing/src/media/video-frame';
import { stopProcess, type Spawned } from '../../tools/dev/processes';
import { startService } from '../support/services';
import { callAs, createPublishing, signToken, type Publishing } from './harness';

interface Asset {
  id: string;
  workspaceId: string;
  type: string;
  url: string;
  thumbnailUrl: string | null;
  filename: string;
  size: number;
  dimensions: { width: number; height: number } | null;
  duration: number | null;
  metadata: Record<string, unknown>;
  tags: string[];
  folder: string | null;
}
type Body = Asset & {
  code?: string;
  detail?: string;
  errors?: { field: string; messages: string[] }[];
  items?: Asset[];
  nextCursor?: string | null;
  posts?: { id: string; status: string }[];
  [k: string]: unknown;
};

// ---- fixtures: tiny files made here, never checked in ----------------------------------------
const png = (width = 64, height = 48) => sharp({ create: { width, height, channels: 3, background: '#c0392b' } }).png().toBuffer();
/** Random pixels: PNG cannot compress them, so the file is about width × height × 3 bytes. */
const noisyPng = (side: number) => sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + body.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, body]);
}
const u32 = (...values: number[]) => Buffer.concat(values.map((v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; }));
function tkhd(width: number, height: number, rotate90 = false): Buffer {
  const matrix = rotate90 ? [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000] : [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000];
  return box('tkhd', u32(0x7, 0, 0, 1, 0, 0), u32(0, 0), Buffer.alloc(8), u32(...matrix), u32(width * 65536, height * 65536));
}
/** A real H.264 clip (a test pattern), encoded by the ffmpeg the service itself uses. */
function h264(opts: { width: number; height: number; seconds: number; rotate?: number }): Buffer {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'clip-'));
  try {
    const ffmpeg = (...args: string[]) => execFileSync(bundledFfmpegPath()!, ['-hide_banner', '-loglevel', 'error', '-nostdin', ...args]);
    const out = path.join(dir, 'clip.mp4');
    ffmpeg('-f', 'lavfi', '-i', `testsrc=duration=${opts.seconds}:size=${opts.width}x${opts.height}:rate=10`, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', out);
    if (!opts.rotate) return readFileSync(out);
    // As a phone records portrait: the frames stay landscape, the track's matrix turns them.
    const rotated = path.join(dir, 'rotated.mp4');
    ffmpeg('-i', out, '-c', 'copy', '-metadata:s:v:0', `rotate=${opts.rotate}`, rotated);
    return readFileSync(rotated);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const hdlr = (kind: string) => box('hdlr', u32(0, 0), Buffer.from(kind, 'latin1'), u32(0, 0, 0), Buffer.from('handler\0'));
/** ftyp + mdat + moov (moov last, as a camera writes it): mvhd 1000/s, a video track and an audio track. */
function mp4(opts: { brand: string; compatible: string[]; width: number; height: number; durationMs: number; rotate90?: boolean }): Buffer {
  const ftyp = box('ftyp', Buffer.from(opts.brand, 'latin1'), u32(0x200), ...opts.compatible.map((b) => Buffer.from(b, 'latin1')));
  const mvhd = box('mvhd', u32(0, 0, 0, 1000, opts.durationMs), Buffer.alloc(80));
  const video = box('trak', tkhd(opts.width, opts.height, opts.rotate90), box('mdia', hdlr('vide')));
  const audio = box('trak', tkhd(0, 0), box('mdia', hdlr('soun')));
  return Buffer.concat([ftyp, box('mdat', randomBytes(2048)), box('moov', mvhd, video, audio)]);
}

describe('publishing: media library', () => {
  const ws: string = randomUUID();
  const freeWs: string = randomUUID();
  const otherWs: string = randomUUID();
  const user = randomUUID();
  const mediaDir = mkdtempSync(path.join(os.tmpdir(), 'media-test-'));
  const FREE_LIMIT = 200_000;
  const MAX_UPLOAD = 1_500_000;
  const EDGE_UPLOAD_LIMIT = 600_000;
  let svc: Publishing;
  let edge: Spawned;
  let base: string;
  let edgeBase: string;
  let db: Publishing['db'];

  const token = (role: string, workspaceId = ws, as: { sub?: string; perms?: unknown } = {}) => signToken(svc.keys, { sub: user, workspaceId, role, ...as });
  const call = (method: string, p: string, body?: unknown, role = 'EDITOR', workspaceId = ws) => callAs(base, token(role, workspaceId))<Body>(method, p, body);

  async function upload(
    file: Buffer,
    name: string,
    opts: { type?: string; folder?: string; tags?: string[]; role?: string; workspaceId?: string; sub?: string; via?: string; fields?: Record<string, string>; key?: string } = {},
  ): Promise<{ status: number; body: Body; headers: Headers }> {
    const form = new FormData();
    if (opts.folder !== undefined) form.append('folder', opts.folder);
    for (const t of opts.tags ?? []) form.append('tags', t);
    for (const [k, v] of Object.entries(opts.fields ?? {})) form.append(k, v);
    form.append('file', new Blob([new Uint8Array(file)], { type: opts.type ?? 'application/octet-stream' }), name);
    const res = await fetch(`${opts.via ?? base}/api/v1/media-assets`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token(opts.role ?? 'EDITOR', opts.workspaceId ?? ws, opts.sub ? { sub: opts.sub } : {})}`,
        ...(opts.key ? { 'idempotency-key': opts.key } : {}),
      },
      body: form,
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {}, headers: res.headers };
  }

  /**
   * A multipart body sent in 16 kB chunks with no Content-Length (chunked transfer encoding);
   * with `abortAfter`, the client gives up once it has sent that many bytes.
   */
  async function streamedUpload(url: string, file: Buffer, abortAfter?: number): Promise<{ status: number; body: Body } | 'aborted'> {
    const ac = new AbortController();
    const boundary = `----media${randomUUID()}`;
    const multipart = Buffer.concat([
      Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="streamed.png"\r\ncontent-type: image/png\r\n\r\n`),
      file,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    let at = 0;
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (abortAfter !== undefined && at >= abortAfter) {
          await new Promise((r) => setTimeout(r, 100)); // let the server take in what it got
          return ac.abort();
        }
        if (at >= multipart.length) return controller.close();
        controller.enqueue(new Uint8Array(multipart.subarray(at, at + 16_384)));
        at += 16_384;
      },
    });
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token('EDITOR')}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: stream,
        duplex: 'half',
        signal: ac.signal,
      } as RequestInit);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    } catch (err) {
      if (ac.signal.aborted) return 'aborted';
      throw err;
    }
  }
  const tempEmpty = () => waitFor(() => storedFiles().temp.length === 0, 10_000, 'the temp upload to be removed');

  async function raw(p: string, role = 'EDITOR', workspaceId = ws): Promise<{ status: number; type: string | null; bytes: Buffer; headers: Headers }> {
    const res = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token(role, workspaceId)}` } });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
  }

  /** Files under MEDIA_DIR (stored assets) and in its temp folder, to prove nothing was left. */
  function storedFiles(): { assets: string[]; temp: string[] } {
    const assets: string[] = [];
    const walk = (dir: string, rel: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (rel === '' && e.name === '.uploads') continue;
        if (e.isDirectory()) walk(path.join(dir, e.name), path.join(rel, e.name));
        else assets.push(path.join(rel, e.name));
      }
    };
    walk(mediaDir, '');
    const tempDir = path.join(mediaDir, '.uploads');
    return { assets: assets.sort(), temp: existsSync(tempDir) ? readdirSync(tempDir) : [] };
  }
  const rowCount = async (workspaceId = ws) => (await db.query('select count(*)::int as n from media_assets where "workspaceId" = $1', [workspaceId])).rows[0].n as number;

  async function post(status: string, mediaId: string): Promise<string> {
    const id = randomUUID();
    await db.query(
      `insert into posts (id, "workspaceId", "authorId", content, status, "scheduledAt", tags, "aiGenerated", "createdAt", "updatedAt")
       values ($1, $2, $3, '{"text":"with media"}', $4, now() + interval '1 day', '{}', false, now(), now())`,
      [id, ws, user, status],
    );
    await db.query('insert into post_media ("postId", "mediaId", "order") values ($1, $2, 0)', [id, mediaId]);
    return id;
  }

  beforeAll(async () => {
    svc = await createPublishing({
      name: 'media',
      env: {
        MEDIA_DIR: mediaDir,
        MEDIA_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
        // The FREE row scaled down so the test moves kilobytes, not 25 MiB.
        MEDIA_PLAN_LIMIT_BYTES: `FREE=${FREE_LIMIT}`,
      },
    });
    db = svc.db;
    // The workspace projection's table (its migration ships with the workspaces module); kept
    // here, guarded, so this test does not depend on the order the two land in.
    await db.query(`create table if not exists workspace_profiles ("workspaceId" uuid primary key, plan text not null, "timeZone" text not null, limits jsonb not null, "updatedAt" timestamptz not null)`);
    await db.query(`insert into workspace_profiles ("workspaceId", plan, "timeZone", limits, "updatedAt") values ($1, 'FREE', 'UTC', '{}', now())`, [freeWs]);
    await svc.start();
    base = svc.base;
    ({ proc: edge, base: edgeBase } = await startService('edge', {
      PUBLISHING_URL: base,
      EDGE_BODY_LIMIT_BYTES: '2048',
      EDGE_UPLOAD_LIMIT_BYTES: String(EDGE_UPLOAD_LIMIT),
    }, { publicKey: svc.keys.publicKey }));
  });

  afterAll(async () => {
    if (edge) await stopProcess(edge);
    await svc?.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  it('stores a PNG with its dimensions, hash and a thumbnail, serves both, and records the upload', async () => {
    const file = await png(640, 480);
    const res = await upload(file, 'Hero shot.png', { type: 'image/png', folder: 'campaigns/spring', tags: ['hero', 'q2'] });
    expect(res.status).toBe(201);
    const a = res.body;
    expect(a).toMatchObject({
      type: 'IMAGE',
      filename: 'Hero shot.png',
      size: file.length,
      dimensions: { width: 640, height: 480 },
      duration: null,
      folder: 'campaigns/spring',
      tags: ['hero', 'q2'],
      url: `/api/v1/media-assets/${a.id}/content`,
      thumbnailUrl: `/api/v1/media-assets/${a.id}/thumbnail`,
    });
    expect(a.metadata).toMatchObject({ mimeType: 'image/png', sha256: createHash('sha256').update(file).digest('hex') });

    const content = await raw(a.url);
    expect([content.status, content.type]).toEqual([200, 'image/png']);
    expect(content.bytes.equals(file)).toBe(true);
    const thumb = await raw(a.thumbnailUrl!, 'VIEWER');
    expect([thumb.status, thumb.type]).toEqual([200, 'image/webp']);
    const meta = await sharp(thumb.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 240]);

    expect((await call('GET', `/api/v1/media-assets/${a.id}`, undefined, 'VIEWER')).body).toMatchObject({ id: a.id, type: 'IMAGE' });
    expect(storedFiles().assets).toEqual(expect.arrayContaining([path.join(ws, a.id, 'original'), path.join(ws, a.id, 'thumbnail.webp')]));
    const audit = await db.query(`select envelope from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1`, [a.id]);
    expect(audit.rows.map((r) => r.envelope.data)).toEqual([expect.objectContaining({ action: 'media.uploaded', resourceType: 'media_asset', userId: user })]);
  });

  it('serves one byte range of a file (206), directly and through the edge, and 416 past its end', async () => {
    const file = await noisyPng(64);
    const a = (await upload(file, 'ranged.png', { type: 'image/png' })).body;
    const get = (range: string | null, via = base) =>
      fetch(`${via}${a.url}`, { headers: { authorization: `Bearer ${token('VIEWER')}`, ...(range ? { range } : {}) } });
    const whole = await get(null);
    expect([whole.status, whole.headers.get('accept-ranges'), Number(whole.headers.get('content-length'))]).toEqual([200, 'bytes', file.length]);
    await whole.arrayBuffer();
    const part = await get('bytes=10-19');
    expect([part.status, part.headers.get('content-range'), part.headers.get('content-length')]).toEqual([206, `bytes 10-19/${file.length}`, '10']);
    expect(Buffer.from(await part.arrayBuffer()).equals(file.subarray(10, 20))).toBe(true);
    // The edge streams the part on (chunked), status and Content-Range intact.
    const viaEdge = await get('bytes=10-19', edgeBase);
    expect([viaEdge.status, viaEdge.headers.get('content-range')]).toEqual([206, `bytes 10-19/${file.length}`]);
    expect(Buffer.from(await viaEdge.arrayBuffer()).equals(file.subarray(10, 20))).toBe(true);
    const tail = await get('bytes=-5');
    expect([tail.status, tail.headers.get('content-range')]).toEqual([206, `bytes ${file.length - 5}-${file.length - 1}/${file.length}`]);
    expect(Buffer.from(await tail.arrayBuffer()).equals(file.subarray(file.length - 5))).toBe(true);
    const past = await get(`bytes=${file.length}-`);
    expect([past.status, past.headers.get('content-range'), past.headers.get('content-type')]).toEqual([416, `bytes */${file.length}`, 'application/problem+json; charset=utf-8']);
    expect(((await past.json()) as Body).code).toBe('PUBLISHING.MEDIA_RANGE_NOT_SATISFIABLE');
    // Several ranges at once: the whole file, as RFC 9110 allows.
    const several = await get('bytes=0-1,5-6');
    expect(several.status).toBe(200);
    expect(Buffer.from(await several.arrayBuffer()).equals(file)).toBe(true);
  });

  it('types files by their bytes: JPEG (EXIF-rotated), GIF, WebP, and a PNG named evil.mp4', async () => {
    const jpeg = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#2980b9' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    const gif = await sharp({ create: { width: 20, height: 10, channels: 4, background: '#27ae60' } }).gif().toBuffer();
    const webp = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#8e44ad' } }).webp().toBuffer();
    const j = await upload(jpeg, 'photo.jpg');
    expect(j.body).toMatchObject({ type: 'IMAGE', metadata: { mimeType: 'image/jpeg' }, dimensions: { width: 30, height: 40 } });
    const g = await upload(gif, 'anim.gif');
    expect(g.body).toMatchObject({ type: 'GIF', metadata: { mimeType: 'image/gif' }, dimensions: { width: 20, height: 10 } });
    const w = await upload(webp, 'pic.webp');
    expect(w.body).toMatchObject({ type: 'IMAGE', metadata: { mimeType: 'image/webp' }, dimensions: { width: 30, height: 20 } });

    const disguised = await upload(await png(), 'evil.mp4', { type: 'video/mp4' });
    expect(disguised.status).toBe(201);
    expect(disguised.body).toMatchObject({ type: 'IMAGE', filename: 'evil.mp4', metadata: { mimeType: 'image/png' } });
    expect((await raw(disguised.body.url)).type).toBe('image/png');
    // A client's path never becomes part of the name, let alone of a storage key.
    const pathy = await upload(await png(), 'C:\\Users\\me\\..\\pass|wd\u0007.png');
    expect(pathy.body.filename).toBe('pass_wd.png');
  });

  it('refuses a text file named x.png, naming what it is, and keeps nothing', async () => {
    const before = { rows: await rowCount(), files: storedFiles() };
    const res = await upload(Buffer.from('just some words, not a picture\n'), 'x.png', { type: 'image/png' });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: 'PUBLISHING.MEDIA_TYPE_UNPROCESSABLE', detectedType: 'text/plain' });
    expect(res.body.detail).toContain('text/plain');
    const pdf = await upload(Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n'), 'doc.png');
    expect(pdf.body).toMatchObject({ code: 'PUBLISHING.MEDIA_TYPE_UNPROCESSABLE', detectedType: 'application/pdf' });
    // A PNG signature over garbage is sniffed as PNG but cannot be decoded.
    const broken = await upload(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(200)]), 'broken.png');
    expect(broken.body).toMatchObject({ code: 'PUBLISHING.MEDIA_CONTENT_UNPROCESSABLE' });
    expect(await rowCount()).toBe(before.rows);
    expect(storedFiles()).toEqual({ assets: before.files.assets, temp: [] });
  });

  it("refuses a file over the workspace plan's limit as soon as it passes it, naming the limit and plan; nothing is stored", async () => {
    const big = await noisyPng(300); // ~270 kB, over the (scaled) FREE limit
    expect(big.length).toBeGreaterThan(FREE_LIMIT);
    const before = storedFiles();
    const res = await upload(big, 'big.png', { workspaceId: freeWs });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'PUBLISHING.MEDIA_SIZE_LIMIT_REACHED', plan: 'FREE', limitBytes: FREE_LIMIT });
    expect(res.body.detail).toContain('FREE');
    expect(res.body.detail).toContain(String(FREE_LIMIT));
    expect(await rowCount(freeWs)).toBe(0);
    expect(storedFiles()).toEqual({ assets: before.assets, temp: [] });
    // A much larger body is cut off early too, and the answer still reaches the client.
    const huge = await upload(Buffer.concat([big, randomBytes(MAX_UPLOAD - big.length - 1000)]), 'huge.png', { workspaceId: freeWs });
    expect(huge.body).toMatchObject({ code: 'PUBLISHING.MEDIA_SIZE_LIMIT_REACHED', plan: 'FREE' });
    // A workspace publishing has no profile for yet gets the service-wide cap instead (and a
    // file over Fastify's 1 MiB JSON body limit goes through: multipart has its own).
    const overMiB = await noisyPng(640);
    expect(overMiB.length).toBeGreaterThan(1024 * 1024);
    const unknown = await upload(overMiB, 'big.png');
    expect(unknown.status).toBe(201);
    expect(unknown.body.size).toBe(overMiB.length);
    const overCap = await upload(Buffer.concat([big, randomBytes(MAX_UPLOAD)]), 'bigger.png');
    expect(overCap.body).toMatchObject({ code: 'PUBLISHING.MEDIA_SIZE_LIMIT_REACHED', plan: null, limitBytes: MAX_UPLOAD });
    expect(storedFiles().temp).toEqual([]);
  });

  it('reads duration and dimensions from MP4 and QuickTime files (moov after mdat, rotation applied)', async () => {
    const file = mp4({ brand: 'isom', compatible: ['isom', 'iso2', 'avc1', 'mp41'], width: 1280, height: 720, durationMs: 12_500 });
    const res = await upload(file, 'clip.mp4', { type: 'video/mp4' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: 'VIDEO',
      dimensions: { width: 1280, height: 720 },
      duration: 13,
      thumbnailUrl: null,
      metadata: { mimeType: 'video/mp4', durationMs: 12_500, hasAudio: true },
    });
    const mov = await upload(mp4({ brand: 'qt  ', compatible: ['qt  '], width: 1920, height: 1080, durationMs: 3_000, rotate90: true }), 'portrait.mov');
    expect(mov.body).toMatchObject({ type: 'VIDEO', dimensions: { width: 1080, height: 1920 }, duration: 3, metadata: { mimeType: 'video/quicktime' } });
    const content = await raw(res.body.url);
    expect([content.type, content.bytes.length]).toEqual(['video/mp4', file.length]);
    // Its frames are noise, not video: still a valid upload, without a thumbnail.
    expect((await raw(res.body.url.replace('/content', '/thumbnail'))).status).toBe(404);
  });

  it('makes a WebP thumbnail from a frame of a real video, upright when the file says it is rotated', async () => {
    const res = await upload(h264({ width: 640, height: 360, seconds: 3 }), 'clip.mp4');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ type: 'VIDEO', dimensions: { width: 640, height: 360 }, duration: 3, metadata: { videoCodec: 'avc1', thumbnail: { mimeType: 'image/webp', width: 320, height: 180 } } });
    const thumb = await raw(res.body.thumbnailUrl!);
    expect(thumb.type).toBe('image/webp');
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({ format: 'webp', width: 320, height: 180 });
    // The test pattern is colourful: a black or blank frame would be one flat colour.
    const { channels } = await sharp(thumb.bytes).stats();
    expect(Math.max(...channels.slice(0, 3).map((c) => c.stdev))).toBeGreaterThan(30);

    const portrait = await upload(h264({ width: 640, height: 360, seconds: 1, rotate: 90 }), 'portrait.mp4');
    expect(portrait.body).toMatchObject({ dimensions: { width: 360, height: 640 }, metadata: { thumbnail: { width: 180, height: 320 } } });
    expect(await sharp((await raw(portrait.body.thumbnailUrl!)).bytes).metadata()).toMatchObject({ width: 180, height: 320 });
  });

  it('takes Idempotency-Key on an upload: the same file replays the first asset, another file (or name, or folder) with that key is refused', async () => {
    const w = randomUUID();
    const file = await png(20, 20);
    const first = await upload(file, 'logo.png', { key: 'upload-1', folder: 'brand', workspaceId: w });
    expect(first.status).toBe(201);
    const files = storedFiles().assets.length;
    // A retry after a lost answer: the same asset, not a second one.
    const retry = await upload(file, 'logo.png', { key: 'upload-1', folder: 'brand', workspaceId: w });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotency-replayed')).toBe('true');
    expect(retry.body.id).toBe(first.body.id);
    // Same key, other bytes (the fingerprint is the file, not just its name): refused, nothing stored.
    const other = await upload(await png(21, 20), 'logo.png', { key: 'upload-1', folder: 'brand', workspaceId: w });
    expect(other).toMatchObject({ status: 422, body: { code: 'COMMON.IDEMPOTENCY_KEY_REUSED' } });
    expect((await upload(file, 'logo-2.png', { key: 'upload-1', folder: 'brand', workspaceId: w })).status).toBe(422);
    expect((await upload(file, 'logo.png', { key: 'upload-1', folder: 'other', workspaceId: w })).status).toBe(422);
    expect(await rowCount(w)).toBe(1);
    expect(storedFiles().assets).toHaveLength(files);
    await tempEmpty();
    // Without a key, the same file is a new asset each time; a malformed key is named.
    expect((await upload(file, 'logo.png', { workspaceId: w })).body.id).not.toBe(first.body.id);
    expect(await upload(file, 'logo.png', { key: 'has space', workspaceId: w })).toMatchObject({ status: 400, body: { errors: [{ field: 'Idempotency-Key' }] } });
    expect(await rowCount(w)).toBe(2);
  });

  it('organises assets in folders and tags, and finds them by folder, tag, name, type and date, newest first', async () => {
    const w = randomUUID();
    const up = (name: string, folder: string | undefined, tags: string[], file: Buffer) => upload(file, name, { folder, tags, workspaceId: w });
    const small = await png(8, 8);
    const a = (await up('Logo_Dark.png', 'brand/logos', ['logo'], small)).body;
    const b = (await up('logo-light.png', 'brand/logos/light', ['logo', 'light'], small)).body;
    const c = (await up('banner 100%.png', 'brand', ['banner'], small)).body;
    const d = (await up('loose.gif', undefined, ['logo'], await sharp({ create: { width: 4, height: 4, channels: 4, background: '#000' } }).gif().toBuffer())).body;
    const list = async (qs: string) => (await call('GET', `/api/v1/media-assets?${qs}`, undefined, 'VIEWER', w)).body;
    const ids = async (qs: string) => (await list(qs)).items!.map((x) => x.id);

    expect(await ids('')).toEqual([d.id, c.id, b.id, a.id]);
    expect(await ids('folder=brand/logos')).toEqual([a.id]);
    expect(await ids('folderPrefix=brand/logos')).toEqual([b.id, a.id]);
    expect(await ids('folderPrefix=brand')).toEqual([c.id, b.id, a.id]);
    expect(await ids('folderPrefix=bra')).toEqual([]);
    expect(await ids('tag=logo')).toEqual([d.id, b.id, a.id]);
    expect(await ids('q=LOGO')).toEqual([b.id, a.id]);
    expect(await ids(`q=${encodeURIComponent('0%')}`)).toEqual([c.id]);
    expect(await ids('q=_')).toEqual([a.id]);
    expect(await ids('type=GIF')).toEqual([d.id]);
    const created = (await db.query('select "createdAt" from media_assets where id = $1', [b.id])).rows[0].createdAt as Date;
    expect(await ids(`from=${encodeURIComponent(created.toISOString())}&folderPrefix=brand`)).toEqual([c.id, b.id]);
    expect(await ids(`to=${encodeURIComponent(new Date(created.getTime() - 1).toISOString())}`)).toEqual([a.id]);

    const page1 = await list('limit=3');
    expect(page1.items!.map((x) => x.id)).toEqual([d.id, c.id, b.id]);
    const page2 = await list(`limit=3&cursor=${page1.nextCursor}`);
    expect([page2.items!.map((x) => x.id), page2.nextCursor]).toEqual([[a.id], null]);

    const folders = await call('GET', '/api/v1/media-assets/folders', undefined, 'VIEWER', w);
    expect(folders.body).toEqual({
      items: [
        { folder: 'brand', count: 1, total: 3 },
        { folder: 'brand/logos', count: 1, total: 2 },
        { folder: 'brand/logos/light', count: 1, total: 1 },
      ],
      unfiled: 1,
    });

    const backwards = await call('GET', '/api/v1/media-assets?from=2027-02-01&to=2027-01-01', undefined, 'VIEWER', w);
    expect([backwards.status, backwards.body.errors]).toEqual([400, [{ field: 'to', messages: ['to must not be before from'] }]]);
    for (const bad of ['folder=../x', 'folderPrefix=/abs', 'type=PDF', 'cursor=junk', 'limit=500', 'colour=red']) {
      const res = await call('GET', `/api/v1/media-assets?${bad}`, undefined, 'VIEWER', w);
      expect([bad, res.status]).toEqual([bad, 400]);
      expect(res.body.errors!.map((e) => e.field)).toContain(bad.split('=')[0]);
    }
  });

  it('renames, moves and retags (validated, JSON still works next to multipart), and refuses bad folders on upload', async () => {
    const a = (await upload(await png(), 'a.png', { folder: 'inbox' })).body;
    const moved = await call('PATCH', `/api/v1/media-assets/${a.id}`, { filename: 'Final cut.png', folder: 'approved/2026', tags: ['final', 'final', ' ok '] });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ filename: 'Final cut.png', folder: 'approved/2026', tags: ['final', 'ok'] });
    expect((await call('PATCH', `/api/v1/media-assets/${a.id}`, { folder: null })).body.folder).toBeNull();

    const bad = await call('PATCH', `/api/v1/media-assets/${a.id}`, { filename: '../x', folder: 'a/../b', tags: ['x'.repeat(51)], size: 1 });
    expect(bad.status).toBe(400);
    expect(bad.body.errors!.map((e) => e.field).sort()).toEqual(['filename', 'folder', 'size', 'tags']);
    for (const folder of ['/etc', 'a//b', 'a/', '..', 'a\\b', Array(10).fill('x').join('/')]) {
      const res = await call('PATCH', `/api/v1/media-assets/${a.id}`, { folder });
      expect([folder, res.status]).toEqual([folder, 400]);
    }
    expect((await call('GET', `/api/v1/media-assets/${a.id}`)).body).toMatchObject({ filename: 'Final cut.png', folder: null });

    const before = { rows: await rowCount(), files: storedFiles() };
    const badUpload = await upload(await png(), 'b.png', { folder: '../../etc', tags: ['ok'], fields: { colour: 'red' } });
    expect(badUpload.status).toBe(400);
    expect(badUpload.body.errors!.map((e) => e.field).sort()).toEqual(['colour', 'folder']);
    const noFile = await fetch(`${base}/api/v1/media-assets`, { method: 'POST', headers: { authorization: `Bearer ${token('EDITOR')}`, 'content-type': 'application/json' }, body: '{}' });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as Body).errors![0].field).toBe('file');
    expect(await rowCount()).toBe(before.rows);
    expect(storedFiles()).toEqual({ assets: before.files.assets, temp: [] });
  });

  it('refuses to delete an asset a scheduled post uses (409 naming it), and deletes it from a draft with its files', async () => {
    const a = (await upload(await png(), 'scheduled.png')).body;
    const scheduled = await post('SCHEDULED', a.id);
    const draft = await post('DRAFT', a.id);
    const refused = await call('DELETE', `/api/v1/media-assets/${a.id}`, undefined, 'MANAGER');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'PUBLISHING.MEDIA_IN_USE_CONFLICT', posts: [{ id: scheduled, status: 'SCHEDULED' }] });
    expect(refused.body.detail).toContain(scheduled);
    expect((await raw(a.url)).status).toBe(200);

    await db.query(`update posts set status = 'DRAFT' where id = $1`, [scheduled]);
    expect((await call('DELETE', `/api/v1/media-assets/${a.id}`, undefined, 'MANAGER')).status).toBe(204);
    expect((await call('GET', `/api/v1/media-assets/${a.id}`)).status).toBe(404);
    expect((await raw(a.url)).status).toBe(404);
    expect((await db.query('select count(*)::int as n from post_media where "postId" = any($1)', [[scheduled, draft]])).rows[0].n).toBe(0);
    expect((await db.query('select count(*)::int as n from posts where id = any($1)', [[scheduled, draft]])).rows[0].n).toBe(2);
    expect(storedFiles().assets.filter((f) => f.includes(a.id))).toEqual([]);
    const audit = await db.query(`select envelope->'data'->>'action' as action from outbox where topic = 'audit.recorded' and envelope->'data'->>'resourceId' = $1 order by seq`, [a.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['media.uploaded', 'media.deleted']);
  });

  it('with an ownOnly grant, shows a member only the media they uploaded', async () => {
    const w = randomUUID();
    const colleague = randomUUID();
    const small = await png(8, 8);
    const theirs = (await upload(small, 'theirs.png', { workspaceId: w, folder: 'shared' })).body;
    const mine = (await upload(small, 'mine.png', { workspaceId: w, folder: 'mine', sub: colleague })).body;
    const own = (method: string, p: string, body?: unknown) =>
      callAs(base, token('EDITOR', w, { sub: colleague, perms: { 'media:read': { ownOnly: true }, 'media:update': { ownOnly: true } } }))<Body>(method, p, body);
    expect((await own('GET', '/api/v1/media-assets')).body.items!.map((x) => x.id)).toEqual([mine.id]);
    expect((await own('GET', '/api/v1/media-assets/folders')).body).toEqual({ items: [{ folder: 'mine', count: 1, total: 1 }], unfiled: 0 });
    expect((await own('GET', `/api/v1/media-assets/${mine.id}`)).status).toBe(200);
    for (const [method, p] of [['GET', ''], ['GET', '/content'], ['PATCH', '']] as const) {
      const res = await own(method, `/api/v1/media-assets/${theirs.id}${p}`, method === 'PATCH' ? { tags: ['x'] } : undefined);
      expect([method, p, res.status]).toEqual([method, p, 404]);
    }
    // Without the grant, the same member sees both.
    expect((await call('GET', '/api/v1/media-assets', undefined, 'EDITOR', w)).body.items!.map((x) => x.id)).toEqual([mine.id, theirs.id]);
    expect((await db.query(`select tags from media_assets where id = $1`, [theirs.id])).rows[0].tags).toEqual([]);
  });

  it('keeps workspaces apart and applies the role matrix', async () => {
    const a = (await upload(await png(), 'mine.png')).body;
    for (const [method, p] of [['GET', ''], ['GET', '/content'], ['GET', '/thumbnail'], ['PATCH', ''], ['DELETE', '']] as const) {
      const res = await call(method, `/api/v1/media-assets/${a.id}${p}`, method === 'PATCH' ? { tags: ['x'] } : undefined, 'OWNER', otherWs);
      expect([method, p, res.status]).toEqual([method, p, 404]);
    }
    expect((await call('GET', '/api/v1/media-assets', undefined, 'OWNER', otherWs)).body.items).toEqual([]);
    const viewerUpload = await upload(await png(), 'viewer.png', { role: 'VIEWER' });
    expect(viewerUpload.status).toBe(403);
    expect((await call('PATCH', `/api/v1/media-assets/${a.id}`, { tags: ['v'] }, 'VIEWER')).status).toBe(403);
    expect((await call('DELETE', `/api/v1/media-assets/${a.id}`, undefined, 'EDITOR')).status).toBe(403);
    expect((await call('GET', `/api/v1/media-assets/${a.id}`, undefined, 'VIEWER')).status).toBe(200);
    expect((await call('DELETE', `/api/v1/media-assets/${a.id}`, undefined, 'MANAGER')).status).toBe(204);
  });

  it('takes uploads through the edge under their own limit, streamed, and stops one over it', async () => {
    const file = await noisyPng(200); // ~120 kB: far over EDGE_BODY_LIMIT_BYTES, under the upload limit
    const ok = await upload(file, 'via-edge.png', { via: edgeBase });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ type: 'IMAGE', size: file.length, dimensions: { width: 200, height: 200 } });
    expect((await raw(ok.body.url)).bytes.equals(file)).toBe(true);
    // JSON bodies keep the small limit.
    const json = await fetch(`${edgeBase}/api/v1/media-assets/${ok.body.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${token('EDITOR')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ tags: Array(40).fill('x'.repeat(50)) }),
    });
    expect(json.status).toBe(413);

    const before = { rows: await rowCount(), files: storedFiles() };
    const tooBig = await upload(Buffer.concat([file, randomBytes(EDGE_UPLOAD_LIMIT)]), 'too-big.png', { via: edgeBase });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ code: 'COMMON.PAYLOAD_TOO_LARGE' });
    expect(tooBig.body.detail).toContain(String(EDGE_UPLOAD_LIMIT));
    // Without a Content-Length the edge counts while it forwards, and cuts the stream at the limit.
    const chunked = await streamedUpload(`${edgeBase}/api/v1/media-assets`, Buffer.concat([file, randomBytes(EDGE_UPLOAD_LIMIT)]));
    expect(chunked).toMatchObject({ status: 413, body: { code: 'COMMON.PAYLOAD_TOO_LARGE' } });
    const chunkedOk = await streamedUpload(`${edgeBase}/api/v1/media-assets`, file);
    expect(chunkedOk).toMatchObject({ status: 201, body: { size: file.length } });
    if (chunkedOk !== 'aborted') await call('DELETE', `/api/v1/media-assets/${chunkedOk.body.id}`, undefined, 'MANAGER');
    // The plan limit answered by publishing travels back through the edge as is.
    const overPlan = await upload(Buffer.concat([await noisyPng(300), randomBytes(EDGE_UPLOAD_LIMIT / 2)]), 'plan.png', { via: edgeBase, workspaceId: freeWs });
    expect(overPlan.body).toMatchObject({ code: 'PUBLISHING.MEDIA_SIZE_LIMIT_REACHED', plan: 'FREE' });
    expect(await rowCount()).toBe(before.rows);
    // The service hears of an aborted forward a moment after the edge answered.
    await tempEmpty();
    expect(storedFiles().assets).toEqual(before.files.assets);
  });

  it('leaves nothing behind when the client gives up mid-upload, directly or through the edge', async () => {
    const before = { rows: await rowCount(), files: storedFiles() };
    const file = Buffer.concat([await noisyPng(200), randomBytes(200_000)]);
    expect(await streamedUpload(`${base}/api/v1/media-assets`, file, 100_000)).toBe('aborted');
    expect(await streamedUpload(`${edgeBase}/api/v1/media-assets`, file, 100_000)).toBe('aborted');
    await tempEmpty();
    expect(await rowCount()).toBe(before.rows);
    expect(storedFiles().assets).toEqual(before.files.assets);
    // Both still serve (an abandoned upload neither crashes nor opens the edge's breaker).
    expect((await upload(await png(), 'after.png', { via: edgeBase })).status).toBe(201);
  });
});
