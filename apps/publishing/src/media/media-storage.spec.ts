import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { LocalDiskStorage, mediaKey } from './media-storage';

const WS = '0193f0a0-0000-7000-8000-000000000001';
const ASSET = '0193f0a0-0000-7000-8000-0000000000aa';

describe('mediaKey', () => {
  it('builds keys from ids only', () => {
    expect(mediaKey(WS, ASSET, 'original')).toBe(`${WS}/${ASSET}/original`);
    expect(mediaKey(WS, ASSET, 'thumbnail')).toBe(`${WS}/${ASSET}/thumbnail.webp`);
    expect(() => mediaKey('../etc', ASSET, 'original')).toThrow(/ids only/);
    expect(() => mediaKey(WS, 'x/../../y', 'original')).toThrow(/ids only/);
  });
});

describe('LocalDiskStorage', () => {
  let dir: string;
  let storage: LocalDiskStorage;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'storage-'));
    storage = new LocalDiskStorage(dir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('puts, opens and deletes a file under MEDIA_DIR, leaving no partial files or empty folders', async () => {
    const key = mediaKey(WS, ASSET, 'original');
    await storage.put(key, Readable.from([Buffer.from('hello '), Buffer.from('world')]), { contentType: 'text/plain', size: 11 });
    expect(readdirSync(path.join(dir, WS, ASSET))).toEqual(['original']);
    expect(await text((await storage.open(key))!)).toBe('hello world');
    await storage.delete(key);
    expect(await storage.open(key)).toBeNull();
    expect(readdirSync(path.join(dir, WS))).toEqual([]);
    await expect(storage.delete(key)).resolves.toBeUndefined();
  });

  it('keeps the previous file and no partial one when the body fails', async () => {
    const key = mediaKey(WS, ASSET, 'original');
    await storage.put(key, Readable.from([Buffer.from('v1')]), { contentType: 'text/plain', size: 2 });
    const failing = new Readable({
      read() {
        this.destroy(new Error('client gone'));
      },
    });
    await expect(storage.put(key, failing, { contentType: 'text/plain', size: 2 })).rejects.toThrow('client gone');
    expect(readdirSync(path.join(dir, WS, ASSET))).toEqual(['original']);
    expect(await text((await storage.open(key))!)).toBe('v1');
  });

  it('refuses a key that would leave the directory', async () => {
    await expect(storage.open('../../etc/passwd')).rejects.toThrow(/escapes/);
  });
});
