import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import sharp from 'sharp';
import { callAs, createPublishing, signToken, type Publishing } from './harness';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The media library on S3 storage, against s3rver: a local server speaking the S3 REST protocol
 * (signed requests, path-style buckets), so the real SDK client is what gets exercised.
 */
describe('publishing: media library on S3-compatible storage', () => {
  const ws = randomUUID();
  const user = randomUUID();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'media-s3-'));
  const bucket = 'media-test';
  let s3: S3rver;
  let endpoint: string;
  let client: S3Client;
  let svc: Publishing;

  const token = () => signToken(svc.keys, { sub: user, workspaceId: ws, role: 'MANAGER' });
  const keys = async () => ((await client.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key).sort();

  beforeAll(async () => {
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 'bucket'), configureBuckets: [{ name: bucket, configs: [] }] });
    const { port } = await s3.run();
    endpoint = `http://127.0.0.1:${port}`;
    const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
    client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials });
    svc = await createPublishing({
      name: 'media_s3',
      env: {
        MEDIA_STORAGE: 's3',
        MEDIA_S3_BUCKET: bucket,
        MEDIA_S3_ENDPOINT: endpoint,
        MEDIA_S3_FORCE_PATH_STYLE: 'true',
        MEDIA_S3_ACCESS_KEY_ID: credentials.accessKeyId,
        MEDIA_S3_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        MEDIA_TMP_DIR: path.join(dir, 'uploads'),
      },
    });
    await svc.start();
  });

  afterAll(async () => {
    await svc?.stop();
    client?.destroy();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the original and its thumbnail as objects, serves them back (a byte range too), and deletes both', async () => {
    const file = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#16a085' } }).png().toBuffer();
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)], { type: 'image/png' }), 'banner.png');
    const res = await fetch(`${svc.base}/api/v1/media-assets`, { method: 'POST', headers: { authorization: `Bearer ${token()}` }, body: form });
    const asset = (await res.json()) as Body;
    expect(res.status).toBe(201);
    expect(asset).toMatchObject({ type: 'IMAGE', size: file.length, dimensions: { width: 300, height: 200 } });
    expect(await keys()).toEqual([`${ws}/${asset.id}/original`, `${ws}/${asset.id}/thumbnail.webp`]);

    const content = await fetch(`${svc.base}${asset.url}`, { headers: { authorization: `Bearer ${token()}` } });
    expect([content.status, content.headers.get('content-type')]).toEqual([200, 'image/png']);
    expect(Buffer.from(await content.arrayBuffer()).equals(file)).toBe(true);
    const part = await fetch(`${svc.base}${asset.url}`, { headers: { authorization: `Bearer ${token()}`, range: 'bytes=100-199' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 100-199/${file.length}`]);
    expect(Buffer.from(await part.arrayBuffer()).equals(file.subarray(100, 200))).toBe(true);
    const thumb = await fetch(`${svc.base}${asset.thumbnailUrl}`, { headers: { authorization: `Bearer ${token()}` } });
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe('webp');

    expect((await callAs(svc.base, token())('DELETE', `/api/v1/media-assets/${asset.id}`)).status).toBe(204);
    expect(await keys()).toEqual([]);
    expect((await fetch(`${svc.base}${asset.url}`, { headers: { authorization: `Bearer ${token()}` } })).status).toBe(404);
  });
});
