import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange } from './byte-range';

export interface StoredObjectInfo {
  contentType: string;
  /** Exact byte count of the body (S3 needs it up front). */
  size: number;
}

/**
 * Where originals and thumbnails live. Keys are built by `mediaKey` from ids we generated,
 * never from anything the client sent.
 */
export abstract class MediaStorage {
  abstract readonly kind: 'local' | 's3';
  /** Stores the whole body under `key`, replacing what was there; resolves once it is durable. */
  abstract put(key: string, body: Readable, info: StoredObjectInfo): Promise<void>;
  /** The stored bytes (only `range` of them when given), or null when there is nothing under `key`. */
  abstract open(key: string, range?: ByteRange): Promise<Readable | null>;
  /** Removes `key`; nothing there is not an error. */
  abstract delete(key: string): Promise<void>;
}

export type MediaFile = 'original' | 'thumbnail';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `<workspaceId>/<assetId>/original` or `.../thumbnail.webp`. */
export function mediaKey(workspaceId: string, assetId: string, file: MediaFile): string {
  if (!UUID.test(workspaceId) || !UUID.test(assetId)) throw new Error('media keys are built from ids only');
  return `${workspaceId}/${assetId}/${file === 'original' ? 'original' : 'thumbnail.webp'}`;
}

/** Files under one directory (MEDIA_DIR). Writes land in a temp name first, then are renamed. */
export class LocalDiskStorage extends MediaStorage {
  readonly kind = 'local' as const;

  constructor(private readonly dir: string) {
    super();
  }

  async put(key: string, body: Readable, _info: StoredObjectInfo): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.${randomUUID()}.partial`;
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx', mode: 0o640 }));
      await rename(partial, target);
    } catch (err) {
      await rm(partial, { force: true });
      throw err;
    }
  }

  async open(key: string, range?: ByteRange): Promise<Readable | null> {
    try {
      const fh = await open(this.pathOf(key), 'r');
      return fh.createReadStream(range ? { start: range.start, end: range.end } : {});
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.pathOf(key);
    await rm(file, { force: true });
    // The asset's folder goes with its last file; a sibling still there keeps it.
    await rmdir(path.dirname(file)).catch(() => undefined);
  }

  private pathOf(key: string): string {
    const full = path.resolve(this.dir, key);
    if (!full.startsWith(path.resolve(this.dir) + path.sep)) throw new Error('media key escapes the media directory');
    return full;
  }
}
