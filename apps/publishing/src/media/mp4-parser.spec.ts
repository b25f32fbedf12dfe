import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Mp4ParseError, bufferSource, parseMp4, withFileSource } from './mp4-parser';

// ---- a small ISO-BMFF writer, enough to describe the cases --------------------------------------
const u8 = (n: number) => Buffer.from([n]);
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b; };
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b; };
const i32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
const u64 = (n: bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(n); return b; };
const fourcc = (s: string) => Buffer.from(s, 'latin1');

function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(8 + body.length), fourcc(type), body]);
}
/** A box with a 64-bit `largesize` header (size field = 1). */
function largeBox(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(1), fourcc(type), u64(BigInt(16 + body.length)), body]);
}
const fullBox = (type: string, version: number, ...payload: Buffer[]) => box(type, u8(version), Buffer.alloc(3), ...payload);

function mvhd(timescale: number, duration: number | bigint, version = 0): Buffer {
  const times = version === 1 ? [u64(0n), u64(0n), u32(timescale), u64(BigInt(duration))] : [u32(0), u32(0), u32(timescale), u32(Number(duration))];
  return fullBox('mvhd', version, ...times, Buffer.alloc(80));
}
const IDENTITY = [0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000];
const ROTATE_90 = [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000];
function tkhd(width: number, height: number, opts: { version?: number; matrix?: number[] } = {}): Buffer {
  const v = opts.version ?? 0;
  const head = v === 1 ? [u64(0n), u64(0n), u32(1), u32(0), u64(0n)] : [u32(0), u32(0), u32(1), u32(0), u32(0)];
  return fullBox('tkhd', v, ...head, Buffer.alloc(8), u16(0), u16(0), u16(0), u16(0), ...(opts.matrix ?? IDENTITY).map(i32), u32(width * 65536), u32(height * 65536));
}
const hdlr = (kind: string) => fullBox('hdlr', 0, u32(0), fourcc(kind), Buffer.alloc(12), fourcc('name\0'));
const mdhd = (timescale: number, duration: number) => fullBox('mdhd', 0, u32(0), u32(0), u32(timescale), u32(duration), Buffer.alloc(4));
const stsd = (codec: string) => fullBox('stsd', 0, u32(1), box(codec, Buffer.alloc(70)));
function trak(kind: string, opts: { width?: number; height?: number; codec?: string; matrix?: number[]; tkhdVersion?: number; mdhd?: [number, number] } = {}): Buffer {
  return box(
    'trak',
    tkhd(opts.width ?? 0, opts.height ?? 0, { version: opts.tkhdVersion, matrix: opts.matrix }),
    box('mdia', ...(opts.mdhd ? [mdhd(...opts.mdhd)] : []), hdlr(kind), box('minf', box('stbl', ...(opts.codec ? [stsd(opts.codec)] : [])))),
  );
}
const ftyp = box('ftyp', fourcc('isom'), u32(512), fourcc('isomiso2avc1mp41'));
const mdat = (n = 1024) => box('mdat', Buffer.alloc(n, 0xab));

describe('parseMp4', () => {
  it('reads duration (mvhd), display size and codecs of a faststart file', async () => {
    const file = Buffer.concat([
      ftyp,
      box('moov', mvhd(600, 7_500), trak('vide', { width: 1920, height: 1080, codec: 'avc1' }), trak('soun', { codec: 'mp4a' })),
      mdat(),
    ]);
    expect(await parseMp4(bufferSource(file))).toEqual({
      durationSeconds: 12.5,
      width: 1920,
      height: 1080,
      hasVideo: true,
      hasAudio: true,
      videoCodec: 'avc1',
      audioCodec: 'mp4a',
    });
  });

  it('finds moov after a large mdat by seeking, reading only box headers on the way', async () => {
    const mdatPayload = 5 * 1024 * 1024;
    const file = Buffer.concat([ftyp, largeBox('mdat', Buffer.alloc(mdatPayload)), box('free'), box('moov', mvhd(1000, 3000), trak('vide', { width: 640, height: 360 }))]);
    const reads: [number, number][] = [];
    const source = bufferSource(file);
    const info = await parseMp4({ size: source.size, read: (o, l) => (reads.push([o, l]), source.read(o, l)) });
    expect(info).toMatchObject({ durationSeconds: 3, width: 640, height: 360, hasAudio: false });
    expect(reads.every(([, length]) => length < 64 * 1024)).toBe(true);

    const dir = mkdtempSync(path.join(os.tmpdir(), 'mp4-'));
    try {
      writeFileSync(path.join(dir, 'clip.mp4'), file);
      expect(await withFileSource(path.join(dir, 'clip.mp4'), parseMp4)).toEqual(info);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads version 1 (64-bit) mvhd and tkhd, and a moov whose size runs to the end of the file (size 0)', async () => {
    const moov = box('moov', mvhd(90_000, 90_000n * 3600n * 5n, 1), trak('vide', { width: 3840, height: 2160, tkhdVersion: 1 }));
    const toEnd = Buffer.concat([u32(0), moov.subarray(4)]);
    expect(await parseMp4(bufferSource(Buffer.concat([ftyp, mdat(), toEnd])))).toMatchObject({ durationSeconds: 5 * 3600, width: 3840, height: 2160 });
  });

  it('swaps width and height for a 90° display matrix (portrait phone video)', async () => {
    const file = Buffer.concat([ftyp, box('moov', mvhd(1000, 1000), trak('vide', { width: 1920, height: 1080, matrix: ROTATE_90 }))]);
    expect(await parseMp4(bufferSource(file))).toMatchObject({ width: 1080, height: 1920 });
  });

  it('takes the duration from mvex/mehd for fragmented files, else from the longest track', async () => {
    const fragmented = box('moov', mvhd(1000, 0), box('mvex', fullBox('mehd', 0, u32(42_000))), trak('vide', { width: 320, height: 240 }));
    expect((await parseMp4(bufferSource(Buffer.concat([ftyp, fragmented])))).durationSeconds).toBe(42);
    const fromTracks = box('moov', mvhd(1000, 0), trak('vide', { width: 320, height: 240, mdhd: [25, 250] }), trak('soun', { mdhd: [48_000, 528_000] }));
    expect((await parseMp4(bufferSource(Buffer.concat([ftyp, fromTracks])))).durationSeconds).toBe(11);
    const unknown = box('moov', mvhd(1000, 0xffffffff), trak('vide', { width: 320, height: 240 }));
    expect((await parseMp4(bufferSource(Buffer.concat([ftyp, unknown])))).durationSeconds).toBeNull();
  });

  it('reports an audio-only file as having no video', async () => {
    const file = Buffer.concat([ftyp, box('moov', mvhd(44_100, 441_000), trak('soun', { codec: 'mp4a' })), mdat()]);
    expect(await parseMp4(bufferSource(file))).toMatchObject({ hasVideo: false, hasAudio: true, width: null, height: null, durationSeconds: 10 });
  });

  it.each([
    ['no moov at all', Buffer.concat([ftyp, mdat()]), /no 'moov' box/],
    ['a moov without mvhd', Buffer.concat([ftyp, box('moov', trak('vide', { width: 1, height: 1 }))]), /no 'mvhd'/],
    ['a truncated moov', Buffer.concat([ftyp, box('moov', mvhd(1000, 1000), trak('vide', { width: 2, height: 2 }))]).subarray(0, 60), /truncated/],
    ['a box smaller than its header', Buffer.concat([ftyp, u32(4), fourcc('junk')]), /impossible size/],
    ['a child overrunning its parent', Buffer.concat([ftyp, box('moov', u32(500), fourcc('mvhd'), Buffer.alloc(20))]), /overruns its parent/],
    ['a short mvhd', Buffer.concat([ftyp, box('moov', fullBox('mvhd', 0, u32(0)))]), /'mvhd' box is truncated/],
  ])('refuses %s with a message', async (_name, file, message) => {
    await expect(parseMp4(bufferSource(file))).rejects.toThrow(Mp4ParseError);
    await expect(parseMp4(bufferSource(file))).rejects.toThrow(message);
  });
});
