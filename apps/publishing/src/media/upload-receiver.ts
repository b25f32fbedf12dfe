import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SNIFF_BYTES } from './media-sniffer';

export interface ReceivedUpload {
  /** Temp file holding the bytes; the caller removes it. */
  path: string;
  size: number;
  sha256: string;
  /** The first SNIFF_BYTES bytes, for type detection. */
  head: Buffer;
}

/** The upload passed `limitBytes`; nothing of it was kept. */
export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`upload exceeds ${limitBytes} bytes`);
    this.name = 'UploadTooLargeError';
  }
}

/**
 * Streams an upload to a temp file while counting and hashing it, and stops as soon as it
 * passes the limit. On any failure the temp file is gone before this rejects.
 * `source` may be a multipart file stream that signals its parser's own cap with a `limit`
 * event (it is then cut short, never an error by itself).
 */
export async function receiveUpload(source: Readable, opts: { dir: string; limitBytes: number }): Promise<ReceivedUpload> {
  let cutShort = false;
  source.once('limit', () => (cutShort = true));
  // Until the pipeline listens, a failing source (client gone) must not be an unhandled error;
  // the pipeline still sees it (the stream stays errored).
  const quiet = () => undefined;
  source.on('error', quiet);
  await mkdir(opts.dir, { recursive: true, mode: 0o700 }).finally(() => source.off('error', quiet));
  const file = path.join(opts.dir, `${randomUUID()}.upload`);
  const hash = createHash('sha256');
  const headChunks: Buffer[] = [];
  let headLength = 0;
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      if (size > opts.limitBytes) return done(new UploadTooLargeError(opts.limitBytes));
      hash.update(chunk);
      if (headLength < SNIFF_BYTES) {
        headChunks.push(chunk.subarray(0, SNIFF_BYTES - headLength));
        headLength += Math.min(chunk.length, SNIFF_BYTES - headLength);
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(source, meter, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
    if (cutShort || (source as { truncated?: boolean }).truncated) throw new UploadTooLargeError(opts.limitBytes);
    return { path: file, size, sha256: hash.digest('hex'), head: Buffer.concat(headChunks) };
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}
