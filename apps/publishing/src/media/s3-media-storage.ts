import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import type { ByteRange } from './byte-range';
import type { S3StorageConfig } from './media.config';
import { MediaStorage, type StoredObjectInfo } from './media-storage';

/** The one method of the SDK client this storage uses, so tests can hand it a strict mock. */
export interface S3Sender {
  send(command: PutObjectCommand | GetObjectCommand | DeleteObjectCommand): Promise<unknown>;
}

export function createS3Client(c: S3StorageConfig): S3Client {
  const config: S3ClientConfig = {
    region: c.region,
    forcePathStyle: c.forcePathStyle,
    // S3-compatible servers (MinIO, R2, ...) do not all accept the SDK's default streaming
    // checksums (aws-chunked trailers); checksums are sent where the API requires them.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    ...(c.credentials ? { credentials: c.credentials } : {}),
  };
  return new S3Client(config);
}

/** An S3 (or S3-compatible) bucket; one PutObject per file with its length known up front. */
export class S3Storage extends MediaStorage {
  readonly kind = 's3' as const;

  constructor(
    private readonly client: S3Sender,
    private readonly bucket: string,
  ) {
    super();
  }

  async put(key: string, body: Readable, info: StoredObjectInfo): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: info.size, ContentType: info.contentType }));
  }

  async open(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const res = (await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }))) as { Body?: unknown };
      if (res.Body instanceof Readable) return res.Body;
      throw new Error('S3 GetObject returned no readable body');
    } catch (err) {
      const name = (err as { name?: string }).name;
      const status = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 whether or not the key existed.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
