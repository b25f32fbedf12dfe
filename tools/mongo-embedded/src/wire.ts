// MongoDB wire protocol codec: frame splitting, OP_MSG / OP_QUERY decoding, OP_MSG / OP_REPLY encoding.
// Only what drivers 4.x–6.x send is supported; anything else is a protocol error that closes the socket.
import { BSON } from 'bson';
import type { Document } from 'bson';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

/** Same limit as mongod's maxMessageSizeBytes; anything larger is treated as garbage. */
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

export class ProtocolError extends Error {}

export interface Header {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface Request {
  header: Header;
  /** The command document, with OP_MSG document sequences folded in as arrays. */
  command: Document;
  /** OP_QUERY target namespace's database (OP_MSG carries it as `$db`). */
  db: string;
  /** True when the client set moreToCome: it expects no reply (unacknowledged writes). */
  noReply: boolean;
  legacy: boolean;
}

// promoteLongs keeps int64 values that fit in a double as numbers, so mingo compares them with ordinary
// numbers (it does not understand bson Long). Values beyond 2^53 stay Long.
const deserializeOptions = { promoteLongs: true, promoteValues: true, validation: { utf8: false } } as const;

/**
 * BSON.serialize works in a fixed 17 MiB scratch buffer. Journal records and snapshots can be larger
 * (a 48 MB insert batch), so retry with a buffer sized for the document when the first attempt overflows.
 */
export function serialize(doc: Document): Uint8Array {
  try {
    return BSON.serialize(doc);
  } catch (err) {
    if (!(err instanceof RangeError) && !/out of range|too large|exceeds/i.test(String(err))) throw err;
    // `minInternalBufferSize` exists at runtime in bson 6 but is missing from its typings; passing it
    // through a variable avoids the excess-property check. bson keeps the larger scratch buffer afterwards.
    const options = { ignoreUndefined: true, minInternalBufferSize: BSON.calculateObjectSize(doc) + 1024 };
    return BSON.serialize(doc, options);
  }
}

export function readBson(buf: Buffer, offset: number): { doc: Document; size: number } {
  if (offset + 5 > buf.length) throw new ProtocolError('truncated BSON document');
  const size = buf.readInt32LE(offset);
  if (size < 5 || offset + size > buf.length) throw new ProtocolError('invalid BSON document length');
  const doc = BSON.deserialize(buf.subarray(offset, offset + size), deserializeOptions);
  return { doc, size };
}

export function readHeader(buf: Buffer): Header {
  return {
    length: buf.readInt32LE(0),
    requestId: buf.readInt32LE(4),
    responseTo: buf.readInt32LE(8),
    opCode: buf.readInt32LE(12),
  };
}

function readCString(buf: Buffer, offset: number, end: number): { value: string; next: number } {
  const zero = buf.indexOf(0, offset);
  if (zero < 0 || zero >= end) throw new ProtocolError('unterminated cstring');
  return { value: buf.toString('utf8', offset, zero), next: zero + 1 };
}

/** Decodes one complete frame (header included). Throws ProtocolError on anything malformed. */
export function decodeFrame(frame: Buffer): Request {
  const header = readHeader(frame);
  if (header.opCode === OP_MSG) return decodeOpMsg(frame, header);
  if (header.opCode === OP_QUERY) return decodeOpQuery(frame, header);
  throw new ProtocolError(`unsupported opCode ${header.opCode}`);
}

function decodeOpMsg(frame: Buffer, header: Header): Request {
  const flags = frame.readUInt32LE(16);
  // The CRC-32C trailer is optional and only guards against corruption the TCP checksum already
  // covers locally, so it is skipped rather than verified.
  const end = flags & CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
  let offset = 20;
  let body: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = frame[offset++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG with two body sections');
      const { doc, size } = readBson(frame, offset);
      body = doc;
      offset += size;
    } else if (kind === 1) {
      const size = frame.readInt32LE(offset);
      const sectionEnd = offset + size;
      if (size < 5 || sectionEnd > end) throw new ProtocolError('invalid document sequence length');
      const id = readCString(frame, offset + 4, sectionEnd);
      let pos = id.next;
      const docs: Document[] = [];
      while (pos < sectionEnd) {
        const { doc, size: docSize } = readBson(frame, pos);
        if (pos + docSize > sectionEnd) throw new ProtocolError('document overruns its sequence');
        docs.push(doc);
        pos += docSize;
      }
      sequences.push([id.value, docs]);
      offset = sectionEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG without body');
  for (const [id, docs] of sequences) body[id] = docs;
  return {
    header,
    command: body,
    db: typeof body.$db === 'string' ? body.$db : 'admin',
    noReply: (flags & MORE_TO_COME) !== 0,
    legacy: false,
  };
}

function decodeOpQuery(frame: Buffer, header: Header): Request {
  const ns = readCString(frame, 20, frame.length);
  const { doc } = readBson(frame, ns.next + 8);
  // Legacy clients may wrap the command: { $query: {...}, $readPreference: ... }.
  const command = doc.$query && typeof doc.$query === 'object' ? (doc.$query as Document) : doc;
  const dot = ns.value.indexOf('.');
  const db = dot > 0 ? ns.value.slice(0, dot) : ns.value;
  return { header, command, db, noReply: false, legacy: true };
}

function writeHeader(buf: Buffer, length: number, requestId: number, responseTo: number, opCode: number): void {
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
}

export function encodeOpMsg(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = serialize(reply);
  const out = Buffer.allocUnsafe(21 + body.length);
  writeHeader(out, out.length, requestId, responseTo, OP_MSG);
  out.writeUInt32LE(0, 16);
  out[20] = 0;
  out.set(body, 21);
  return out;
}

export function encodeOpReply(reply: Document, requestId: number, responseTo: number): Buffer {
  const body = serialize(reply);
  const out = Buffer.allocUnsafe(36 + body.length);
  writeHeader(out, out.length, requestId, responseTo, OP_REPLY);
  out.writeInt32LE(0, 16); // responseFlags
  out.writeBigInt64LE(0n, 20); // cursorID
  out.writeInt32LE(0, 28); // startingFrom
  out.writeInt32LE(1, 32); // numberReturned
  out.set(body, 36);
  return out;
}

/**
 * Accumulates socket chunks and yields complete frames. Validates the length prefix before
 * buffering so a hostile or corrupt length cannot make us allocate 2 GB.
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const length = head.readInt32LE(0);
      if (length < 16 || length > MAX_MESSAGE_SIZE) throw new ProtocolError(`invalid message length ${length}`);
      if (this.buffered < length) break;
      frames.push(this.take(length));
    }
    return frames;
  }

  /** Reads the first n bytes without merging chunks: merging on every partial read of a 40 MB frame would be quadratic. */
  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    const out = Buffer.alloc(n);
    let filled = 0;
    for (const c of this.chunks) {
      filled += c.copy(out, filled, 0, Math.min(c.length, n - filled));
      if (filled === n) break;
    }
    return out;
  }

  private take(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks)];
    const first = this.chunks[0];
    const frame = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return frame;
  }
}
