import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { strictMock } from '@lib/testing';
import { S3Storage, createS3Client, type S3Sender } from './s3-media-storage';

// No S3 server runs here: the client's `send` is a strict mock, and these specs pin the commands
// the storage sends and how it reads the answers.
const KEY = '0193f0a0-0000-7000-8000-000000000001/0193f0a0-0000-7000-8000-0000000000aa/original';

function setup(send: jest.Mock) {
  return new S3Storage(strictMock<S3Sender>({ send }, 's3'), 'media-bucket');
}

describe('S3Storage', () => {
  it('puts the body with its length and type, in one PutObject', async () => {
    const send = jest.fn().mockResolvedValue({});
    const body = Readable.from([Buffer.from('png bytes')]);
    await setup(send).put(KEY, body, { contentType: 'image/png', size: 9 });
    expect(send).toHaveBeenCalledTimes(1);
    const cmd = send.mock.calls[0][0] as PutObjectCommand;
    expect(cmd).toBeInstanceOf(PutObjectCommand);
    expect(cmd.input).toEqual({ Bucket: 'media-bucket', Key: KEY, Body: body, ContentLength: 9, ContentType: 'image/png' });
  });

  it('opens the object body as a stream, and answers null for a missing key', async () => {
    const send = jest.fn().mockResolvedValueOnce({ Body: Readable.from([Buffer.from('stored')]) });
    const storage = setup(send);
    expect(await text((await storage.open(KEY))!)).toBe('stored');
    expect(send.mock.calls[0][0]).toBeInstanceOf(GetObjectCommand);
    expect((send.mock.calls[0][0] as GetObjectCommand).input).toEqual({ Bucket: 'media-bucket', Key: KEY });

    send.mockRejectedValueOnce(Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }));
    expect(await storage.open(KEY)).toBeNull();
  });

  it('passes other failures on (access denied is not "missing")', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const send = jest.fn().mockRejectedValue(denied);
    await expect(setup(send).open(KEY)).rejects.toBe(denied);
    await expect(setup(send).put(KEY, Readable.from([]), { contentType: 'image/png', size: 0 })).rejects.toBe(denied);
  });

  it('deletes with DeleteObject', async () => {
    const send = jest.fn().mockResolvedValue({});
    await setup(send).delete(KEY);
    expect(send.mock.calls[0][0]).toBeInstanceOf(DeleteObjectCommand);
    expect((send.mock.calls[0][0] as DeleteObjectCommand).input).toEqual({ Bucket: 'media-bucket', Key: KEY });
  });
});

describe('createS3Client', () => {
  it('targets an S3-compatible endpoint with path-style addressing and static credentials', async () => {
    const client = createS3Client({
      kind: 's3',
      bucket: 'b',
      region: 'eu-central-1',
      endpoint: 'http://minio.local:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA_TEST', secretAccessKey: 'secret' },
    });
    expect(await client.config.region()).toBe('eu-central-1');
    expect(client.config.forcePathStyle).toBe(true);
    expect((await client.config.credentials()).accessKeyId).toBe('AKIA_TEST');
    const endpoint = await client.config.endpoint?.();
    expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe('http://minio.local:9000');
    client.destroy();
  });
});
