import { open } from 'node:fs/promises';

/** Random access to the bytes of a file (or a buffer, in tests). */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

export interface Mp4Info {
  /** Movie duration in seconds (fractional), or null when the file does not say. */
  durationSeconds: number | null;
  /** Display size of the first video track (rotation applied), or null when there is none. */
  width: number | null;
  height: number | null;
  hasVideo: boolean;
  hasAudio: boolean;
  /** Sample entry of the first video / audio track: `avc1`, `hvc1`, `mp4a`, ... */
  videoCodec: string | null;
  audioCodec: string | null;
}

export class Mp4ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Mp4ParseError';
  }
}

/** The `moov` box of a long video is a few MB; anything far larger is not a file we can trust. */
const MAX_MOOV_BYTES = 64 * 1024 * 1024;
const MAX_TOP_LEVEL_BOXES = 10_000;

interface Box {
  type: string;
  /** First byte of the payload (after the header). */
  start: number;
  /** One past the last byte of the box. */
  end: number;
}

/**
 * Reads what the library needs from an ISO-BMFF file (MP4, QuickTime) without decoding it:
 * moov/mvhd → timescale and duration, trak/tkhd → width and height, trak/mdia/hdlr → track kind,
 * stsd → codec. The top level is walked by seeking, so a `moov` after a large `mdat` costs
 * one read, not the whole file.
 */
export async function parseMp4(source: ByteSource): Promise<Mp4Info> {
  const moov = await findMoov(source);
  return parseMoov(moov);
}

export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: async (offset, length) => buf.subarray(offset, Math.min(buf.length, offset + length)) };
}

/** Runs `fn` with the file opened for random reads, and closes it whatever happens. */
export async function withFileSource<T>(path: string, fn: (source: ByteSource) => Promise<T>): Promise<T> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return await fn({
      size,
      read: async (offset, length) => {
        const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
        const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
        return buf.subarray(0, bytesRead);
      },
    });
  } finally {
    await fh.close();
  }
}

async function findMoov(source: ByteSource): Promise<Buffer> {
  let offset = 0;
  for (let n = 0; offset + 8 <= source.size && n < MAX_TOP_LEVEL_BOXES; n++) {
    const header = await source.read(offset, 16);
    if (header.length < 8) break;
    let size = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let headerSize = 8;
    if (size === 1) {
      if (header.length < 16) throw new Mp4ParseError(`truncated '${type}' box header`);
      size = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (size === 0) {
      size = source.size - offset;
    }
    if (size < headerSize) throw new Mp4ParseError(`'${type}' box at ${offset} has an impossible size ${size}`);
    if (type === 'moov') {
      if (size > MAX_MOOV_BYTES) throw new Mp4ParseError(`'moov' box of ${size} bytes is too large`);
      if (offset + size > source.size) throw new Mp4ParseError("'moov' box is truncated");
      return (await source.read(offset + headerSize, size - headerSize));
    }
    offset += size;
  }
  throw new Mp4ParseError("no 'moov' box (not a complete MP4/QuickTime file)");
}

function* children(buf: Buffer, start: number, end: number): Generator<Box> {
  let at = start;
  while (at + 8 <= end) {
    let size = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    let headerSize = 8;
    if (size === 1) {
      if (at + 16 > end) throw new Mp4ParseError(`truncated '${type}' box header`);
      size = Number(buf.readBigUInt64BE(at + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - at;
    }
    if (size < headerSize || at + size > end) throw new Mp4ParseError(`'${type}' box at ${at} overruns its parent`);
    yield { type, start: at + headerSize, end: at + size };
    at += size;
  }
}

function child(buf: Buffer, parent: Box, type: string): Box | undefined {
  for (const b of children(buf, parent.start, parent.end)) if (b.type === type) return b;
  return undefined;
}

function need(box: Box, bytes: number): void {
  if (box.end - box.start < bytes) throw new Mp4ParseError(`'${box.type}' box is truncated`);
}

/** 32- or 64-bit unsigned; all ones means "unknown" in mvhd/tkhd/mdhd/mehd. */
function readDuration(buf: Buffer, at: number, wide: boolean): number | null {
  if (wide) {
    const v = buf.readBigUInt64BE(at);
    return v === 0xffffffffffffffffn ? null : Number(v);
  }
  const v = buf.readUInt32BE(at);
  return v === 0xffffffff ? null : v;
}

/** Full box header: version (1 byte) and flags (3). */
const versionOf = (buf: Buffer, box: Box): number => buf.readUInt8(box.start);

function parseMvhd(buf: Buffer, box: Box): { timescale: number; duration: number | null } {
  const v1 = versionOf(buf, box) === 1;
  need(box, v1 ? 32 : 20);
  const at = box.start + 4 + (v1 ? 16 : 8);
  return { timescale: buf.readUInt32BE(at), duration: readDuration(buf, at + 4, v1) };
}

interface Track {
  kind: string | null;
  width: number;
  height: number;
  codec: string | null;
  timescale: number;
  duration: number | null;
}

function parseTrak(buf: Buffer, trak: Box): Track {
  const track: Track = { kind: null, width: 0, height: 0, codec: null, timescale: 0, duration: null };
  const tkhd = child(buf, trak, 'tkhd');
  if (tkhd) {
    const v1 = versionOf(buf, tkhd) === 1;
    // version/flags, times, track id, reserved, duration, reserved[2], layer, group, volume, reserved
    const matrixAt = tkhd.start + 4 + (v1 ? 32 : 20) + 16;
    need(tkhd, matrixAt - tkhd.start + 36 + 8);
    const m = (i: number) => buf.readInt32BE(matrixAt + i * 4);
    let width = Math.round(buf.readUInt32BE(matrixAt + 36) / 65536);
    let height = Math.round(buf.readUInt32BE(matrixAt + 40) / 65536);
    // A phone's portrait video is stored landscape with a 90° (or 270°) display matrix.
    if (m(0) === 0 && m(4) === 0 && m(1) !== 0 && m(3) !== 0) [width, height] = [height, width];
    track.width = width;
    track.height = height;
  }
  const mdia = child(buf, trak, 'mdia');
  if (mdia) {
    const hdlr = child(buf, mdia, 'hdlr');
    if (hdlr) {
      need(hdlr, 12);
      track.kind = buf.toString('latin1', hdlr.start + 8, hdlr.start + 12);
    }
    const mdhd = child(buf, mdia, 'mdhd');
    if (mdhd) {
      const { timescale, duration } = parseMvhd(buf, mdhd); // same layout up to the duration
      track.timescale = timescale;
      track.duration = duration;
    }
    const stbl = descend(buf, mdia, ['minf', 'stbl']);
    const stsd = stbl && child(buf, stbl, 'stsd');
    if (stsd) {
      need(stsd, 8);
      const entries = { type: 'stsd-entries', start: stsd.start + 8, end: stsd.end };
      const first = children(buf, entries.start, entries.end).next();
      if (!first.done) track.codec = first.value.type;
    }
  }
  return track;
}

function descend(buf: Buffer, from: Box, path: string[]): Box | undefined {
  let box: Box | undefined = from;
  for (const type of path) {
    box = box && child(buf, box, type);
  }
  return box;
}

function parseMoov(moov: Buffer): Mp4Info {
  const root: Box = { type: 'moov', start: 0, end: moov.length };
  const mvhdBox = child(moov, root, 'mvhd');
  if (!mvhdBox) throw new Mp4ParseError("no 'mvhd' box in 'moov'");
  const mvhd = parseMvhd(moov, mvhdBox);
  const tracks: Track[] = [];
  for (const b of children(moov, root.start, root.end)) if (b.type === 'trak') tracks.push(parseTrak(moov, b));

  let duration = mvhd.duration && mvhd.timescale ? mvhd.duration / mvhd.timescale : null;
  if (!duration) {
    // Fragmented files leave mvhd empty and give the total in mvex/mehd (movie timescale).
    const mehd = descend(moov, root, ['mvex', 'mehd']);
    if (mehd && mvhd.timescale) {
      const v1 = versionOf(moov, mehd) === 1;
      need(mehd, v1 ? 12 : 8);
      const d = readDuration(moov, mehd.start + 4, v1);
      duration = d ? d / mvhd.timescale : null;
    }
  }
  if (!duration) {
    const longest = Math.max(0, ...tracks.map((t) => (t.duration && t.timescale ? t.duration / t.timescale : 0)));
    duration = longest || null;
  }

  const video = tracks.find((t) => t.kind === 'vide' && t.width > 0 && t.height > 0) ?? tracks.find((t) => t.kind === null && t.width > 0 && t.height > 0);
  const audio = tracks.find((t) => t.kind === 'soun');
  return {
    durationSeconds: duration,
    width: video?.width ?? null,
    height: video?.height ?? null,
    hasVideo: !!video,
    hasAudio: !!audio,
    videoCodec: video?.codec ?? null,
    audioCodec: audio?.codec ?? null,
  };
}
