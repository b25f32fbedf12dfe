// Wire-protocol robustness, checked with hand-built frames on raw sockets: malformed frames close only
// their own connection, legacy OP_QUERY handshakes get OP_REPLY, OP_MSG document sequences,
// checksums and moreToCome are honoured, and concurrent connections see serialized updates.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { BSON } from 'bson';
import type { Document } from 'bson';
import { MongoClient } from 'mongodb';
import { startMongoEmbedded } from '../src/index';
import type { MongoEmbedded } from '../src/index';

let server: MongoEmbedded;
let dbPath: string;
let client: MongoClient;

beforeAll(async () => {
  dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-embedded-protocol-'));
  server = await startMongoEmbedded({ dbPath, port: 0 });
  client = await MongoClient.connect(server.url);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
  fs.rmSync(dbPath, { recursive: true, force: true });
});

function header(length: number, requestId: number, opCode: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeInt32LE(length, 0);
  b.writeInt32LE(requestId, 4);
  b.writeInt32LE(0, 8);
  b.writeInt32LE(opCode, 12);
  return b;
}

function opMsg(body: Document, opts: { flags?: number; sequences?: Array<[string, Document[]]>; checksum?: boolean; requestId?: number } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([0]), Buffer.from(BSON.serialize(body))];
  for (const [id, docs] of opts.sequences ?? []) {
    const payload = Buffer.concat([Buffer.from(id + '\0'), ...docs.map((d) => Buffer.from(BSON.serialize(d)))]);
    const size = Buffer.alloc(4);
    size.writeInt32LE(payload.length + 4);
    parts.push(Buffer.from([1]), size, payload);
  }
  const flags = Buffer.alloc(4);
  flags.writeUInt32LE((opts.flags ?? 0) | (opts.checksum ? 1 : 0));
  const trailer = opts.checksum ? [Buffer.alloc(4)] : [];
  const bodyLen = 4 + parts.reduce((n, p) => n + p.length, 0) + trailer.length * 4;
  return Buffer.concat([header(16 + bodyLen, opts.requestId ?? 1, 2013), flags, ...parts, ...trailer]);
}

/** A raw connection that collects reply frames. */
class Raw {
  readonly socket: net.Socket;
  private buf = Buffer.alloc(0);
  private waiters: Array<(b: Buffer) => void> = [];
  closed: Promise<void>;

  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= this.buf.readInt32LE(0)) {
        const len = this.buf.readInt32LE(0);
        const frame = this.buf.subarray(0, len);
        this.buf = this.buf.subarray(len);
        this.waiters.shift()?.(frame);
      }
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((r) => this.socket.on('close', () => r()));
  }

  ready(): Promise<void> {
    return new Promise((r) => (this.socket.connecting ? this.socket.once('connect', () => r()) : r()));
  }

  next(): Promise<Buffer> {
    return new Promise((r) => this.waiters.push(r));
  }

  async command(frame: Buffer): Promise<{ opCode: number; responseTo: number; doc: Document }> {
    const reply = this.next();
    this.socket.write(frame);
    const f = await reply;
    const opCode = f.readInt32LE(12);
    const docOffset = opCode === 1 ? 36 : 21;
    return { opCode, responseTo: f.readInt32LE(8), doc: BSON.deserialize(f.subarray(docOffset)) };
  }
}

async function within<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('wire protocol', () => {
  it.each([
    ['an oversized length', Buffer.concat([header(60_000_000, 1, 2013), Buffer.alloc(8)])],
    ['a length below 16', (() => { const b = Buffer.alloc(20); b.writeInt32LE(8, 0); return b; })()],
    ['an unknown opCode', Buffer.concat([header(24, 1, 9999), Buffer.alloc(8)])],
    ['an unparseable body', Buffer.concat([header(30, 1, 2013), Buffer.alloc(4), Buffer.from([0]), Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5])])],
  ])('closes a connection that sends %s, while others keep working', async (_name, garbage) => {
    const bad = new Raw(server.port);
    await bad.ready();
    bad.socket.write(garbage);
    expect(await within(bad.closed, 5000)).not.toBe('timeout');
    // The driver's pooled connection and a new raw one are unaffected.
    await client.db('p').collection('alive').insertOne({ ok: true });
    expect(await client.db('p').collection('alive').countDocuments()).toBeGreaterThan(0);
    const good = new Raw(server.port);
    await good.ready();
    const r = await good.command(opMsg({ ping: 1, $db: 'admin' }));
    expect(r.doc.ok).toBe(1);
    good.socket.destroy();
  });

  it('answers a legacy OP_QUERY isMaster with OP_REPLY', async () => {
    const raw = new Raw(server.port);
    await raw.ready();
    const q = Buffer.concat([Buffer.alloc(4), Buffer.from('admin.$cmd\0'), Buffer.alloc(4), Buffer.from([0xff, 0xff, 0xff, 0xff]), Buffer.from(BSON.serialize({ isMaster: 1, helloOk: true }))]);
    const r = await raw.command(Buffer.concat([header(16 + q.length, 77, 2004), q]));
    expect(r.opCode).toBe(1);
    expect(r.responseTo).toBe(77);
    expect(r.doc).toMatchObject({ ismaster: true, helloOk: true, ok: 1, maxWireVersion: 17 });
    raw.socket.destroy();
  });

  it('accepts OP_MSG document sequences, checksums and moreToCome', async () => {
    const raw = new Raw(server.port);
    await raw.ready();
    const seq = await raw.command(opMsg({ insert: 'seq', $db: 'p', ordered: true }, { sequences: [['documents', [{ _id: 1 }, { _id: 2 }]]] }));
    expect(seq.doc).toEqual({ n: 2, ok: 1 });
    const sum = await raw.command(opMsg({ find: 'seq', filter: {}, $db: 'p' }, { checksum: true }));
    expect(sum.doc.cursor.firstBatch).toEqual([{ _id: 1 }, { _id: 2 }]);
    // moreToCome: no reply is sent, but the write happens (the next reply answers the ping).
    raw.socket.write(opMsg({ insert: 'seq', documents: [{ _id: 3 }], $db: 'p' }, { flags: 2, requestId: 5 }));
    const ping = await raw.command(opMsg({ ping: 1, $db: 'admin' }, { requestId: 6 }));
    expect(ping.responseTo).toBe(6);
    expect(await client.db('p').collection('seq').countDocuments()).toBe(3);
    raw.socket.destroy();
  });

  it('returns the unknown-command error shape', async () => {
    const raw = new Raw(server.port);
    await raw.ready();
    const r = await raw.command(opMsg({ frobnicate: 1, $db: 'admin' }));
    expect(r.doc).toEqual({ ok: 0, errmsg: "no such command: 'frobnicate'", code: 59, codeName: 'CommandNotFound' });
    raw.socket.destroy();
  });

  it('serializes concurrent updates from many connections', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => MongoClient.connect(server.url, { maxPoolSize: 5 })));
    try {
      const c = client.db('p').collection<{ _id: string; n: number }>('counter');
      await c.insertOne({ _id: 'x', n: 0 });
      await Promise.all(
        clients.flatMap((cl) => Array.from({ length: 20 }, () => cl.db('p').collection<{ _id: string; n: number }>('counter').updateOne({ _id: 'x' }, { $inc: { n: 1 } }))),
      );
      expect((await c.findOne({ _id: 'x' }))?.n).toBe(200);
      // Racing upserts on a unique key: exactly one document wins, the rest see it or fail with 11000.
      const u = client.db('p').collection('uniq');
      await u.createIndex({ k: 1 }, { unique: true });
      const results = await Promise.allSettled(clients.map((cl, i) => cl.db('p').collection('uniq').insertOne({ k: 'same', by: i })));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await u.countDocuments()).toBe(1);
    } finally {
      await Promise.all(clients.map((cl) => cl.close()));
    }
  });
});
