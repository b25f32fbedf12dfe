import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { SNIFF_BYTES } from './media-sniffer';
import { UploadTooLargeError, receiveUpload } from './upload-receiver';

describe('receiveUpload', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'receive-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const chunks = (data: Buffer, size: number) => Readable.from(Array.from({ length: Math.ceil(data.length / size) }, (_, i) => data.subarray(i * size, (i + 1) * size)));

  it('writes the stream to a temp file with its size, sha256 and first bytes', async () => {
    const data = randomBytes(100_000);
    const got = await receiveUpload(chunks(data, 1000), { dir, limitBytes: 100_000 });
    expect(got.size).toBe(100_000);
    expect(got.sha256).toBe(createHash('sha256').update(data).digest('hex'));
    expect(got.head.equals(data.subarray(0, SNIFF_BYTES))).toBe(true);
    expect(readFileSync(got.path).equals(data)).toBe(true);
    expect(path.dirname(got.path)).toBe(dir);
  });

  it('stops at the first byte over the limit and removes what it wrote', async () => {
    let pulled = 0;
    const endless = new Readable({
      read() {
        pulled += 1000;
        this.push(Buffer.alloc(1000));
      },
    });
    await expect(receiveUpload(endless, { dir, limitBytes: 50_500 })).rejects.toEqual(new UploadTooLargeError(50_500));
    expect(pulled).toBeLessThan(200_000); // it did not read on to the end (there is none)
    expect(readdirSync(dir)).toEqual([]);
  });

  it("treats a multipart parser's own cap (a `limit` event, the stream cut short) as over the limit", async () => {
    const file = new PassThrough();
    const done = receiveUpload(file, { dir, limitBytes: 1_000_000 });
    file.write(Buffer.alloc(500));
    file.emit('limit');
    file.end();
    await expect(done).rejects.toBeInstanceOf(UploadTooLargeError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('removes the temp file when the source fails (client gone)', async () => {
    const file = new PassThrough();
    const done = receiveUpload(file, { dir, limitBytes: 1_000_000 });
    file.write(Buffer.alloc(500));
    setImmediate(() => file.destroy(new Error('aborted')));
    await expect(done).rejects.toThrow('aborted');
    expect(readdirSync(dir)).toEqual([]);
  });
});
